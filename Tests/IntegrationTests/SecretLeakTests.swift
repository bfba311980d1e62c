import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
@testable import CardManagement

/// No key and no PIN reaches what an issuance leaves behind: the progress the clerk sees, the
/// journal, the ledger, the station database file (and its WAL), the face files. The secrets
/// are known because the simulator's are (SimulatorTestKeys.swift): the five master keys, the
/// card's diversified keys (including the PKI master key the CA put on it), the card's
/// private keys, and the admin PINs before and after the CA step.
final class SecretLeakTests: PCSCStackTestCase {
    var desk: StationDesk!

    override func setUpWithError() throws {
        try super.setUpWithError()
        desk = try StationDesk()
    }

    override func tearDown() {
        desk?.close()
        desk = nil
        super.tearDown()
    }

    /// The forms a secret could take in text or in a file: raw bytes, hex either case, base64.
    static func forms(of secret: [UInt8]) -> [[UInt8]] {
        [secret, Array(secret.hexString.uppercased().utf8), Array(secret.hexString.lowercased().utf8),
         Array(Data(secret).base64EncodedString().utf8)]
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    func testNoKeyOrPINInTheOutputsOfAFullIssuance() throws {
        var seen: [IssuanceProgress] = []
        let request = try desk.request("DEMO-0001")
        let issued = try IssuanceWorkflow(station: desk.station).issue(request, clerk: StationDesk.clerk) { seen.append($0) }
        try desk.handOver("DEMO-0001")
        try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        let card = try XCTUnwrap(desk.printer.collectGoodExit().first)
        let image = card.image
        XCTAssertEqual(image.cardNumber, issued.cardNumber.value)

        // The secrets, named for the failure message (which never prints them).
        var secrets: [(String, [UInt8])] = []
        let master = HSMMasterKeys.simulatorTestKeys
        for (role, name) in [(CardKeyRole.internalAuthentication, "SIMTESTKEY-IRK01"), (.readKey, "SIMTESTKEY-RK-0A"),
                             (.writeKey, "SIMTESTKEY-UK-04"), (.pinUnblock, "SIMTESTKEY-PUK01"), (.pkiMaster, "SIMTESTKEY-PKIMK")] {
            secrets.append(("master key \(role)", Array(name.utf8)))
            secrets.append(("card key \(role)", try master.cardKey(role, cardID: image.cardIdentificationCode.bytes)))
            secrets.append(("card's current key \(role)", image.keys[role]))
        }
        XCTAssertNotEqual(image.keys[.pkiMaster], try master.cardKey(.pkiMaster, cardID: image.cardIdentificationCode.bytes),
                          "the CA step replaced the card's PKI master key")
        if let d = image.pki.signingPrivateKey { secrets.append(("card's signing private key", d)) }
        if let d = image.pki.encryptionPrivateKey { secrets.append(("card's encryption private key", d)) }
        secrets.append(("initial admin PIN", Array(PINCounter.initialAdminPIN.value.utf8)))
        secrets.append(("admin PIN set by the CA", Array(image.pki.adminPIN.value.utf8)))
        XCTAssertNotEqual(image.pki.adminPIN.value, PINCounter.initialAdminPIN.value, "the CA step set a new admin PIN")

        // What the issuance left: texts the clerk and the journal see, and every file.
        var outputs: [(String, [UInt8])] = []
        outputs.append(("progress", Array(seen.map { "\($0)" }.joined(separator: "\n").utf8)))
        outputs.append(("issued card", Array("\(issued)".utf8)))
        for entry in try desk.station.journal.entries(for: "DEMO-0001") {
            outputs.append(("journal \(entry.journalName)", Array((entry.resumeJSON + "\(entry)").utf8)))
        }
        for entry in try desk.station.ledger.entries() { outputs.append(("ledger", Array("\(entry)".utf8))) }
        let directory = URL(fileURLWithPath: desk.configuration.databasePath).deletingLastPathComponent()
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
        // The station's own files; the province simulator's database is the HSM's side, not the desk's.
        let stationFiles = files.filter { !$0.lastPathComponent.hasPrefix("province-sim") }
        XCTAssertTrue(stationFiles.contains { $0.lastPathComponent == "station.sqlite" }, "\(files)")
        for file in stationFiles { outputs.append((file.lastPathComponent, Array(try Data(contentsOf: file)))) }

        // The scan finds a secret where one is: the province HSM's books keep the card's new PKI
        // master key (hex), so its database files must match.
        let province = try files.filter { $0.lastPathComponent.hasPrefix("province-sim") }.map { Array(try Data(contentsOf: $0)) }
        XCTAssertTrue(province.contains { bytes in Self.forms(of: image.keys[.pkiMaster]).contains { Self.contains(bytes, $0) } },
                      "the scan must find the key where it is stored")

        for (what, bytes) in outputs {
            for (name, secret) in secrets {
                for form in Self.forms(of: secret) where Self.contains(bytes, form) {
                    XCTFail("the \(name) (\(secret.count) bytes) is in \(what)")
                }
            }
        }
    }
}
