//go:build !unix

package snapshot

// openNoFollow: this platform has no O_NOFOLLOW/O_NONBLOCK; the Lstat before
// the open and the fstat after it still refuse links and special files.
const openNoFollow = 0

// openNonBlock: see openNoFollow.
const openNonBlock = 0
