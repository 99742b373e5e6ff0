package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// residentBytes is the process's resident memory, VmRSS in
// /proc/self/status (Linux; elsewhere an error).
func residentBytes() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/status: VmRSS %q: %v", v, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc/self/status has no VmRSS")
}
