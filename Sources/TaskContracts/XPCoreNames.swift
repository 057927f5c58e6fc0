import XPCore

// Transitional: XPCore names used by files of this module that do not import XPCore yet
// (Running/HeadRunner.swift is being restructured on another branch). Delete this file once
// HeadRunner.swift says `import XPCore`.

/// XPCore's xoshiro256** generator, formerly `Heads.SeededGenerator`.
typealias SeededGenerator = XPCore.SeededGenerator
