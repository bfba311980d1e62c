import SSCardDriver

// SELECT.
extension CardSession {
    /// The algorithm identifier (算法标识) the SSSE's FCI announces: 03, SM4.
    static let algorithmIdentifier: UInt8 = 0x03

    /// The FCI answered to SELECT of the SSSE with P2 = 00:
    /// `6F 19 | 84 0F <SSSE AID> | A5 06 | 9F0C 03 86 01 03`.
    static var ssseFCI: [UInt8] {
        let name = [0x84, UInt8(SSSE.aid.count)] + SSSE.aid
        let proprietary: [UInt8] = [0xA5, 0x06, 0x9F, 0x0C, 0x03, 0x86, 0x01, algorithmIdentifier]
        let body = name + proprietary
        return [0x6F, UInt8(body.count)] + body
    }

    /// SELECT `00 A4 P1 P2 Lc data`:
    /// - P1 04: by name — the SSSE AID, the PKI AID, or SS.CERT.ADF1 (only from the PKI
    ///   application);
    /// - P1 00: by file id — 3F00, or an EF of the current DF; P1 02: an EF of the current DF.
    ///   SSSE EFs are EF05–EF08; SS.CERT.ADF1 holds 0012, 0013, 0018, 0019.
    /// P2 00 returns the FCI (only the SSSE has one), 0C returns none. 6A82 not found,
    /// 6700 empty name or file id not 2 bytes, 6A86 other P1/P2.
    mutating func select(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p2 == 0x00 || command.p2 == 0x0C else { return .status(.incorrectP1P2) }
        let wantsFCI = command.p2 == 0x00
        let data = command.data
        switch command.p1 {
        case 0x04:
            guard !data.isEmpty else { return .status(.wrongLength) }
            if data == SSSE.aid {
                security.enter(.ssse)
                return .ok(wantsFCI ? Self.ssseFCI : [])
            }
            if data == SSSE.pkiAID {
                security.enter(.pki)
                return .ok()
            }
            if data == SSSE.certADFAID, security.currentDF == .pki || security.currentDF == .certificateADF {
                security.enter(.certificateADF)
                return .ok()
            }
            return .status(.fileNotFound)
        case 0x00, 0x02:
            guard data.count == 2 else { return .status(.wrongLength) }
            if command.p1 == 0x00, data == SSSE.masterFileID {
                security.enter(.masterFile)
                return .ok()
            }
            switch security.currentDF {
            case .ssse:
                guard data[0] == 0xEF, let file = SSSEFile(rawValue: data[1]) else { return .status(.fileNotFound) }
                security.currentEF = .record(file)
                return .ok()
            case .certificateADF:
                guard let file = PKIFile(rawValue: UInt16(data[0]) << 8 | UInt16(data[1])) else {
                    return .status(.fileNotFound)
                }
                security.currentEF = .binary(file)
                return .ok()
            case .masterFile, .pki:
                return .status(.fileNotFound)
            }
        default:
            return .status(.incorrectP1P2)
        }
    }
}
