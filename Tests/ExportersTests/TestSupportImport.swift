@_exported import XPTestSupport
