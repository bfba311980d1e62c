/// `iType` of the national interface: which reader to use. The typed functions of
/// `SSCardInterface` take one; the `i*` functions and the C ABI take the C integer and turn it
/// into one with `init(iType:)`.
public enum ReaderChoice: Int, Sendable, CaseIterable {
    /// 1: the contact reader.
    case contact = 1
    /// 2: the contactless reader.
    case contactless = 2
    /// 3: contact first, then contactless.
    case contactFirst = 3
    /// 4: contactless first, then contact.
    case contactlessFirst = 4

    /// The `iType` a C caller passed; anything but 1–4 is −14 (命令参数错) naming it.
    public init(iType: Int) throws(InterfaceError) {
        guard let choice = ReaderChoice(rawValue: iType) else {
            throw .badParameter("iType=\(iType) 不是 1–4", "iType=\(iType) is not 1–4")
        }
        self = choice
    }

    /// The readers to try, in order.
    public var order: [ReaderKind] {
        switch self {
        case .contact: return [.contact]
        case .contactless: return [.contactless]
        case .contactFirst: return [.contact, .contactless]
        case .contactlessFirst: return [.contactless, .contact]
        }
    }
}

/// The two kinds of reader a desk has.
public enum ReaderKind: Sendable, Hashable {
    case contact, contactless
}
