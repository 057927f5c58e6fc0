// The shared test helpers (SharedFixtures) for every file of this target.
@_exported import XPTestSupport
