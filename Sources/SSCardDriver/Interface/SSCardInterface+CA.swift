/// iWriteCaStep1 / iWriteCaStep2: the card's certificates at instant issuance.
extension SSCardInterface {
    /// iWriteCaStep1: after the basic data is written, prepares the card's PKI application
    /// and returns its signing public key (64 bytes X‖Y), generated on the card if it has none.
    public func prepareCertificates() throws(InterfaceError) -> [UInt8] {
        let module = try pkiModule()
        return try withCard(.contact) { card in
            let cardID = try Self.readCardID(card)
            let pin = try module.initialAdminPIN(cardID: cardID)
            return try pin.withTemporaryArray { pin in
                try PKIApplicationClient(channel: card.channel).prepareSigningKey(adminPIN: pin)
            }
        }
    }

    /// iWriteCaStep2: loads the CA's five items. A signing certificate whose public key is
    /// not the card's is refused (−22) before anything is written.
    public func loadCertificates(_ items: CAIssuance) throws(InterfaceError) {
        let module = try pkiModule()
        var items = items
        defer { items.wipeSecrets() }
        try withCard(.contact) { card in
            let cardID = try Self.readCardID(card)
            let pin = try module.initialAdminPIN(cardID: cardID)
            let key = try module.pkiMasterCardKey(cardID: cardID)
            do {
                // OpenSSL and the APDUs take arrays: the copies live only in these two scopes.
                try pin.withTemporaryArray { pin in
                    try key.withTemporaryArray { key in
                        try PKIApplicationClient(channel: card.channel).loadCertificates(items, currentMasterCardKey: key, adminPIN: pin)
                    }
                }
                module.releaseSecrets(cardID: cardID)
            } catch PKIApplicationError.signingKeyMismatch {
                throw InterfaceError(.dataDiffersFromCard, detail: "签名证书的公钥与卡内签名公钥不符", englishDetail: "the signing certificate's public key is not the card's")
            } catch let error as PKIApplicationError {
                throw InterfaceError(.illegalData, detail: "\(error)", englishDetail: "\(error)", underlying: error)
            }
        }
    }

    public func iWriteCaStep1() -> InterfaceResult {
        result { () throws(InterfaceError) in try prepareCertificates().hexString }
    }

    public func iWriteCaStep2(_ pCaInfo: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let items: CAIssuance
            do { items = try CAIssuance(interfaceText: pCaInfo) } catch {
                throw InterfaceError(.badParameter, detail: "pCaInfo：\(error)", englishDetail: "pCaInfo: \(error)", underlying: error)
            }
            try loadCertificates(items)
            return ""
        }
    }

    private func pkiModule() throws(InterfaceError) -> any PKISecurityModule {
        guard let module = securityModule as? any PKISecurityModule else { throw InterfaceError(.noPSAM) }
        return module
    }
}
