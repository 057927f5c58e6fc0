// Placeholder while the tool is being built on its branch; replaced before the issue closes.
import Foundation
FileHandle.standardError.write(Data("xp-eval-json: not built yet\n".utf8))
exit(1)
