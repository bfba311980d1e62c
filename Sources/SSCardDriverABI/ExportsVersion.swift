import CSSCardDriverABI
import Glibc
import SSCardDriver

/// The version text handed to C, made once and never freed or written, so the pointer stays
/// valid for the life of the process. nonisolated(unsafe) is sound: the global is initialised
/// once (swift_once) and only read afterwards, and C callers only read through it.
nonisolated(unsafe) private let versionText: UnsafePointer<CChar> = UnsafePointer(strdup(ReleaseVersion.text)!)

@c @implementation
public func SSCardDriver_Version() -> UnsafePointer<CChar>? {
    versionText
}
