//go:build unix

package snapshot

import "syscall"

// openNoFollow: do not follow a final symbolic link, do not block opening a
// FIFO (see files.go).
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
