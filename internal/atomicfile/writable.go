package atomicfile

import "os"

// CheckWritable tells, cheaply and before long work, whether Write could
// replace path: its folder exists and takes new files, and nothing but a
// regular file (or nothing) is there. It creates and removes one temporary
// file, the only test that permission bits, read-only mounts and a full
// inode table all answer truly. Errors name path.
func CheckWritable(path string) error {
	target, _, err := resolve(path)
	if err != nil {
		return err
	}
	probe, err := createTemp(splitDir(target))
	if err != nil {
		return renamed("write", path, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}
