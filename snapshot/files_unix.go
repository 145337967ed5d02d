//go:build unix

package snapshot

import "syscall"

// openNoFollow: do not follow a final symbolic link, do not block opening a
// FIFO (see files.go).
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// openNonBlock: do not block opening a FIFO given as a key file.
const openNonBlock = syscall.O_NONBLOCK
