# stand-in package file for directory listing tests
