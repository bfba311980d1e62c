import CLibSSL
import Foundation
import Glibc

/// Why the lab's TLS files could not be made or read.
public struct SimulatorTLSFilesError: Error, Hashable, Sendable, CustomStringConvertible {
    public var step: String
    public var reason: String
    public var description: String { "\(step): \(reason)" }
}

/// The TLS files of a lab province-sim (`--tls-self-signed DIR`), made with OpenSSL: a lab CA
/// (`ca.pem`, its key `ca.key`) made once and kept, and a server certificate signed by it
/// (`server.pem`, key `server.key`) made again at every start for the names it is to answer to.
/// ECDSA P-256 and SHA-256, which every TLS 1.2 client speaks. Keys are written 0600.
///
/// A desk trusts the lab CA by naming `ca.pem` as its `caFile`. FOR LABS ONLY: a province has
/// its own CA and issues the server's certificate from it.
public struct SimulatorTLSFiles: Sendable {
    public var directory: String
    /// What desks trust (`cardManagement.caFile`, `province.caFile`).
    public var caCertificate: String
    public var caKey: String
    /// The server's certificate then the CA's (`--tls-certificate`).
    public var serverCertificate: String
    public var serverKey: String
    /// True when the CA was made now (desks must be given the new `ca.pem`).
    public var caCreated: Bool

    /// Makes (or finds) the CA in `directory` and a fresh server certificate for `names`: IP
    /// addresses and DNS names; 127.0.0.1 and localhost are always included.
    public static func prepare(in directory: String, names: [String]) throws(SimulatorTLSFilesError) -> SimulatorTLSFiles {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SimulatorTLSFilesError(step: "create \(directory)", reason: "\(error.localizedDescription)")
        }
        let folder = URL(fileURLWithPath: directory)
        var files = SimulatorTLSFiles(
            directory: directory, caCertificate: folder.appendingPathComponent("ca.pem").path,
            caKey: folder.appendingPathComponent("ca.key").path,
            serverCertificate: folder.appendingPathComponent("server.pem").path,
            serverKey: folder.appendingPathComponent("server.key").path, caCreated: false)

        let ca: Certificate
        if FileManager.default.fileExists(atPath: files.caCertificate) && FileManager.default.fileExists(atPath: files.caKey) {
            ca = try Certificate(certificateFile: files.caCertificate, keyFile: files.caKey)
        } else {
            ca = try Certificate.make(commonName: "SSCard province-sim lab CA", names: [], issuer: nil)
            try write(try ca.keyPEM(), to: files.caKey, mode: 0o600)
            try write(try ca.certificatePEM(), to: files.caCertificate, mode: 0o644)
            files.caCreated = true
        }
        var all = ["127.0.0.1", "localhost"]
        for name in names where !name.isEmpty && !all.contains(name) && name != "0.0.0.0" { all.append(name) }
        let server = try Certificate.make(commonName: all.count > 2 ? all[2] : "127.0.0.1", names: all, issuer: ca)
        try write(try server.keyPEM(), to: files.serverKey, mode: 0o600)
        try write(try server.certificatePEM() + ca.certificatePEM(), to: files.serverCertificate, mode: 0o644)
        return files
    }

    /// Writes `bytes` to a new file beside `path` with `mode`, then renames it over `path`.
    private static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(SimulatorTLSFilesError) {
        let temporary = path + ".new-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SimulatorTLSFilesError(step: "write \(path)", reason: String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            written += n
        }
        let complete = written == bytes.count && fsync(fd) == 0
        _ = close(fd)
        guard complete, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SimulatorTLSFilesError(step: "write \(path)", reason: reason)
        }
    }
}

/// An X.509 certificate with its private key (OpenSSL objects, freed with the value).
private final class Certificate {
    let certificate: OpaquePointer
    let key: OpaquePointer

    private init(certificate: OpaquePointer, key: OpaquePointer) {
        self.certificate = certificate
        self.key = key
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// Reads a PEM certificate and key.
    convenience init(certificateFile: String, keyFile: String) throws(SimulatorTLSFilesError) {
        ERR_clear_error()
        guard let certificateBIO = BIO_new_file(certificateFile, "r") else { throw Self.failure("read \(certificateFile)") }
        defer { BIO_free(certificateBIO) }
        guard let certificate = PEM_read_bio_X509(certificateBIO, nil, nil, nil) else { throw Self.failure("read \(certificateFile)") }
        guard let keyBIO = BIO_new_file(keyFile, "r") else {
            X509_free(certificate)
            throw Self.failure("read \(keyFile)")
        }
        defer { BIO_free(keyBIO) }
        guard let key = PEM_read_bio_PrivateKey(keyBIO, nil, nil, nil) else {
            X509_free(certificate)
            throw Self.failure("read \(keyFile)")
        }
        self.init(certificate: certificate, key: key)
    }

    /// A new P-256 key and a certificate for it: a CA's (self-signed, 10 years) when `issuer` is
    /// nil, else a TLS server's for `names` (2 years) signed by `issuer`.
    static func make(commonName: String, names: [String], issuer: Certificate?) throws(SimulatorTLSFilesError) -> Certificate {
        ERR_clear_error()
        guard let keyContext = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw failure("EC key") }
        defer { EVP_PKEY_CTX_free(keyContext) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(keyContext) == 1, EVP_PKEY_CTX_set_group_name(keyContext, "P-256") == 1,
              EVP_PKEY_generate(keyContext, &generated) == 1, let key = generated else { throw failure("EC key") }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw failure("X509_new")
        }
        let made = Certificate(certificate: x509, key: key)

        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw failure("serial number") }
        serial[0] &= 0x7F
        let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil)
        defer { BN_free(serialNumber) }
        let isCA = issuer == nil
        guard X509_set_version(x509, 2) == 1, BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(x509)) != nil,
              X509_gmtime_adj(X509_getm_notBefore(x509), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(x509), (isCA ? 3650 : 730) * 86_400) != nil,
              X509_set_pubkey(x509, key) == 1 else { throw failure("certificate fields") }
        let subject = X509_get_subject_name(x509)
        for (field, value) in [("O", "SSCard lab (issue-station province-sim)"), ("CN", commonName)] {
            let bytes = Array(value.utf8)
            guard X509_NAME_add_entry_by_txt(subject, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1 else {
                throw failure("subject \(field)")
            }
        }
        guard X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.certificate) } ?? subject) == 1 else {
            throw failure("issuer")
        }
        var extensions: [(Int32, String)] = [(NID_subject_key_identifier, "hash")]
        if isCA {
            extensions += [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign")]
        } else {
            let alternatives = names.map { name in
                var v4 = in_addr(), v6 = in6_addr()
                return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1 ? "IP:\(name)" : "DNS:\(name)"
            }
            extensions += [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                           (NID_ext_key_usage, "serverAuth"), (NID_authority_key_identifier, "keyid:always"),
                           (NID_subject_alt_name, alternatives.joined(separator: ","))]
        }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.certificate ?? x509, x509, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw failure("extension \(value)") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw failure("extension \(value)") }
        }
        guard X509_sign(x509, issuer?.key ?? key, EVP_sha256()) > 0 else { throw failure("sign the certificate") }
        return made
    }

    func certificatePEM() throws(SimulatorTLSFilesError) -> [UInt8] {
        try Self.pem("certificate") { PEM_write_bio_X509($0, certificate) }
    }

    func keyPEM() throws(SimulatorTLSFilesError) -> [UInt8] {
        try Self.pem("private key") { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    private static func pem(_ what: String, _ write: (OpaquePointer) -> Int32) throws(SimulatorTLSFilesError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("PEM \(what)") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure("PEM \(what)") }
        var data: UnsafeMutablePointer<CChar>?
        let count = sscard_bio_mem_data(bio, &data)
        guard count > 0, let data else { throw failure("PEM \(what)") }
        return Array(UnsafeRawBufferPointer(start: data, count: count))
    }

    private static func failure(_ step: String) -> SimulatorTLSFilesError {
        var text = [CChar](repeating: 0, count: 256)
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return SimulatorTLSFilesError(step: step, reason: "OpenSSL failed") }
        ERR_error_string_n(code, &text, text.count)
        return SimulatorTLSFilesError(step: step, reason: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
