"""Reads every package.py of a spack-packages checkout with Python's own ast and
tokenize modules, for TestAgainstPython: license directives, source attributes and
where each logical line starts. Usage: readpkgs.py CHECKOUT OUTDIR"""
import ast, io, os, sys, tokenize

root = sys.argv[1] + "/repos/spack_repo/builtin/packages"
out = open(sys.argv[2] + "/facts.txt", "w")
lines_out = open(sys.argv[2] + "/lines.txt", "w")

def name_of(d):  # v2 dir -> package name
    return d.lstrip("_").replace("_", "-")

def s(v):
    return v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None

def q(x):  # the quoting pyQuote in real_test.go does
    return '"' + x.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'

def ql(xs):
    return "[" + " ".join(q(x) for x in xs) + "]"

for d in sorted(os.listdir(root), key=name_of):
    f = os.path.join(root, d, "package.py")
    if not os.path.exists(f):
        continue
    src = open(f, "rb").read()
    tree = ast.parse(src)
    facts = {}
    lic = []
    def body(stmts, cond):
        for st in stmts:
            if isinstance(st, ast.ClassDef):
                body(st.body, False)
            elif isinstance(st, (ast.If, ast.For, ast.While, ast.Try, getattr(ast, "Match", ()))):
                for part in ("body", "orelse", "finalbody"):
                    body(getattr(st, part, []) or [], True)
                for h in getattr(st, "handlers", []) or []:
                    body(h.body, True)
                for c in getattr(st, "cases", []) or []:
                    body(c.body, True)
            elif isinstance(st, ast.With):
                body(st.body, cond)
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Name) and st.value.func.id == "license":
                c = st.value
                kw = {k.arg: k.value for k in c.keywords}
                e = s(c.args[0]) if c.args else s(kw.get("license_identifier"))
                if e is None:
                    continue
                w = kw.get("when")
                when = ""
                if w is not None and not (isinstance(w, ast.Constant) and w.value in (True, None)):
                    when = s(w)
                    if when is None:
                        continue
                by = kw.get("checked_by")
                bys = []
                if s(by) is not None:
                    bys = [s(by)]
                elif isinstance(by, (ast.List, ast.Tuple)) and all(s(x) is not None for x in by.elts):
                    bys = [s(x) for x in by.elts]
                lic.append((e, when, bys, st.lineno))
            elif isinstance(st, ast.Assign) and not cond and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                n = st.targets[0].id
                if n in ("homepage", "url", "git", "list_url") and s(st.value) is not None:
                    facts.setdefault(n, s(st.value))
                if n == "urls" and isinstance(st.value, (ast.List, ast.Tuple)) and all(s(x) is not None for x in st.value.elts):
                    facts.setdefault(n, [s(x) for x in st.value.elts])
    for st in tree.body:
        if isinstance(st, ast.ClassDef):
            body(st.body, False)
    out.write("%s\thomepage=%s\turl=%s\turls=%s\tgit=%s\tlist_url=%s\n" % (name_of(d), q(facts.get("homepage", "")), q(facts.get("url", "")), ql(facts.get("urls", [])), q(facts.get("git", "")), q(facts.get("list_url", ""))))
    for e, when, bys, ln in lic:
        out.write("  license %s when=%s by=%s line=%d\n" % (q(e), q(when), ql(bys), ln))
    # logical lines: the first token after each NEWLINE (or at the start)
    starts = []
    new = True
    for t in tokenize.tokenize(io.BytesIO(src).readline):
        if t.type in (tokenize.ENCODING, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if t.type == tokenize.NEWLINE:
            new = True
            continue
        if new:
            starts.append("%d:%d" % t.start)
            new = False
    lines_out.write("%s %s\n" % (name_of(d), " ".join(starts)))
