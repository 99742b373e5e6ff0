package kernels

// No assembly kernels are built yet: every CPU runs the generic level.
const asmAvailable = false

func hasLevel(Level) bool { return false }
