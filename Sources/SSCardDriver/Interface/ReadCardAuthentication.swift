/// `iAuthType` of iReadCard: whether the holder's PIN is asked before the files are opened.
public enum ReadCardAuthentication: Int, Sendable, CaseIterable {
    /// 1: the holder's PIN, then the security module's keys.
    case pinThenKeys = 1
    /// 2: the security module's keys only.
    case keys = 2

    /// The `iAuthType` a C caller passed; anything but 1 or 2 is −14 naming it.
    public init(iAuthType: Int) throws(InterfaceError) {
        guard let authentication = ReadCardAuthentication(rawValue: iAuthType) else {
            throw .badParameter("iAuthType=\(iAuthType) 不是 1 或 2", "iAuthType=\(iAuthType) is not 1 or 2")
        }
        self = authentication
    }
}
