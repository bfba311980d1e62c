/// `iType` of the national interface: which reader to use.
public enum ReaderChoice: Int, Sendable, CaseIterable {
    /// 1: the contact reader.
    case contact = 1
    /// 2: the contactless reader.
    case contactless = 2
    /// 3: contact first, then contactless.
    case contactFirst = 3
    /// 4: contactless first, then contact.
    case contactlessFirst = 4

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
