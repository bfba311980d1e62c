import Foundation

/// The driver's settings, read from a JSON file (docs/configuration.md). Every field has a
/// default, so an empty file or no file at all is a valid configuration: the first PC/SC
/// reader, no security module (the two-step HSM functions serve), no printer. Nothing
/// simulated is ever chosen by default.
public struct DriverConfiguration: Codable, Hashable, Sendable {
    /// Which PC/SC reader is the contact reader (a substring of its name); nil = the first one.
    public var contactReader: String?
    /// Which reader is the contactless one; nil = none.
    public var contactlessReader: String?
    /// Encoding of strings crossing the C ABI: "gb18030" (the interface's own) or "utf8".
    public var stringEncoding: StringEncodingSetting
    /// Deadline of each card operation, in seconds.
    public var cardTimeoutSeconds: Double
    /// The terminal's security module: "none" (the default: iReadCardBas answers −2201 and
    /// callers use the two-step HSM functions, as the national interface intends), "province"
    /// (the province HSM reached through the card-management contract at `province.url`), or
    /// "simulated" (the HSM simulator: only inside issue-station and the tests).
    public var securityModule: SecurityModuleSetting
    /// Where the province card-management system (and its HSM) answers, for `securityModule`
    /// "province".
    public var province: ProvinceLink?
    /// The card printer.
    public var printer: PrinterSettings
    /// Bank → hopper (1–9): pre-made cards of each bank sit in their own hopper.
    public var hoppers: [String: Int]
    /// Font files tried in order for each character of iPrint text.
    public var fontChain: [FontFace]
    /// Unit of left/top/width/height in iPrint items: "dot300", "0.1mm" or "mm".
    public var printUnits: PrintUnitSetting
    /// Whether the initial PIN 123456 may be presented outside the counter: "usable" (the
    /// default: the card decides) or "counter-only" (iVerifyPIN with it answers −35
    /// 初始密码不能交易, nothing sent, unless the interface is the counter's): 社保应用密码必须经
    /// 持卡人本人设置确认后，才能…正常使用 (《广东省社会保障卡经办规程》第十八条).
    public var initialPIN: InitialPINSetting

    public enum StringEncodingSetting: String, ConfigurationKind { case gb18030, utf8 }
    public enum SecurityModuleSetting: String, ConfigurationKind { case none, province, simulated }

    /// The province link of `securityModule` "province" (docs/province-api.md).
    public struct ProvinceLink: Codable, Hashable, Sendable {
        /// Base URL of the card-management contract: `https://host:port`, or
        /// `http://127.0.0.1:port` to a loopback address only.
        public var url: URL
        /// Seconds for one call.
        public var timeoutSeconds: Double
        /// 终端机编号 reported by iReadCardBas: 12 letters or digits.
        public var terminal: String
        /// The desk's credential file (mode 0600) that signs each request (docs/province-api.md §4).
        public var credentialFile: String?
        /// PEM CA certificates the `https` server's certificate must chain to; nil: the system's.
        public var caFile: String?

        public init(url: URL, timeoutSeconds: Double = 10, terminal: String = "SSDESK000001",
                    credentialFile: String? = nil, caFile: String? = nil) {
            self.url = url
            self.timeoutSeconds = timeoutSeconds
            self.terminal = terminal
            self.credentialFile = credentialFile
            self.caFile = caFile
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let text = try c.decode(String.self, forKey: .url)
            // TLS to the province; plain HTTP only on this machine (docs/province-api.md §4).
            guard let url = URL(string: text), let host = url.host, url.scheme == "https" || (url.scheme == "http" && Self.isLoopback(host)) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .url, in: c, debugDescription: "\"\(text)\" is not an https://host:port address (plain http:// only to 127.0.0.0/8)")
            }
            self.url = url
            credentialFile = try c.decodeIfPresent(String.self, forKey: .credentialFile)
            caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
            timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10
            terminal = try c.decodeIfPresent(String.self, forKey: .terminal) ?? "SSDESK000001"
            guard timeoutSeconds > 0, timeoutSeconds <= 600 else {
                throw DecodingError.dataCorruptedError(forKey: .timeoutSeconds, in: c, debugDescription: "must be between 0 and 600 seconds")
            }
            guard terminal.count == 12, terminal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw DecodingError.dataCorruptedError(forKey: .terminal, in: c, debugDescription: "\"\(terminal)\" is not 12 letters or digits")
            }
        }

        /// `localhost` or a dotted IPv4 address in 127.0.0.0/8.
        static func isLoopback(_ host: String) -> Bool {
            if host.lowercased() == "localhost" { return true }
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil && $0.allSatisfy(\.isASCII) }
        }
    }

    /// What drives the card printer (`printer.kind`).
    public enum PrinterKind: String, ConfigurationKind {
        /// The simulated printer in process (issue-station and tests only).
        case virtual
        /// Escape over a TCP socket, e.g. to `issue-station vprinter`.
        case escapeTCP = "escape-tcp"
        /// Escape over libusb to an Evolis printer.
        case evolisUSB = "evolis-usb"
        /// No printer: a plain reader desk.
        case none
    }

    /// `initialPIN`: where the initial PIN may be used (《广东省社会保障卡经办规程》第十八条).
    public enum InitialPINSetting: String, ConfigurationKind {
        /// Presented to the card like any PIN.
        case usable
        /// Refused with −35 outside the counter: the holder sets a PIN at handover first.
        case counterOnly = "counter-only"
    }

    public enum PrintUnitSetting: String, ConfigurationKind {
        case dot300
        case tenthMillimetre = "0.1mm"
        case millimetre = "mm"
    }

    public struct PrinterSettings: Codable, Hashable, Sendable {
        /// What drives the printer.
        public var kind: PrinterKind
        /// Hoppers fitted on an Escape printer, 1–9.
        public var hopperCount: Int
        /// Host and port of an "escape-tcp" printer (default 127.0.0.1:35970).
        public var escapeHost: String?
        public var escapePort: UInt16?
        /// USB vendor and product id of a real printer, e.g. "0f49" and "1001".
        public var usbVendorID: String?
        public var usbProductID: String?
        /// The reader name (substring) of the chip encoder inside the printer.
        public var encoderReader: String?
        /// The vpcd slot the virtual printer's contact station uses.
        public var virtualEncoderSlot: Int

        /// Where `issue-station vprinter` listens unless told otherwise: 127.0.0.1:35970.
        public static let defaultEscapePort: UInt16 = 35970

        public init(kind: PrinterKind = .none, hopperCount: Int = 2, escapeHost: String? = nil, escapePort: UInt16? = nil,
                    usbVendorID: String? = nil, usbProductID: String? = nil,
                    encoderReader: String? = nil, virtualEncoderSlot: Int = 0) {
            self.kind = kind
            self.hopperCount = hopperCount
            self.escapeHost = escapeHost
            self.escapePort = escapePort
            self.usbVendorID = usbVendorID
            self.usbProductID = usbProductID
            self.encoderReader = encoderReader
            self.virtualEncoderSlot = virtualEncoderSlot
        }

        /// Missing keys take their defaults here too.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decodeIfPresent(PrinterKind.self, forKey: .kind) ?? .none
            hopperCount = try c.decodeIfPresent(Int.self, forKey: .hopperCount) ?? 2
            escapeHost = try c.decodeIfPresent(String.self, forKey: .escapeHost)
            escapePort = try c.decodeIfPresent(UInt16.self, forKey: .escapePort)
            usbVendorID = try c.decodeIfPresent(String.self, forKey: .usbVendorID)
            usbProductID = try c.decodeIfPresent(String.self, forKey: .usbProductID)
            encoderReader = try c.decodeIfPresent(String.self, forKey: .encoderReader)
            virtualEncoderSlot = try c.decodeIfPresent(Int.self, forKey: .virtualEncoderSlot) ?? 0
        }
    }

    public struct FontFace: Codable, Hashable, Sendable {
        public var path: String
        public var faceIndex: Int
        public init(path: String, faceIndex: Int = 0) {
            self.path = path
            self.faceIndex = faceIndex
        }
    }

    /// The GB18030 chain chosen from coverage measured on Debian 12 with fontTools: Noto Serif CJK
    /// SC → BabelStone Han → HanaMinB → HanaMinA.
    public static let defaultFontChain = [
        FontFace(path: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", faceIndex: 2),
        FontFace(path: "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf"),
        FontFace(path: "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
        FontFace(path: "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    ]

    public init(
        contactReader: String? = nil, contactlessReader: String? = nil,
        stringEncoding: StringEncodingSetting = .gb18030, cardTimeoutSeconds: Double = 10,
        securityModule: SecurityModuleSetting = .none, province: ProvinceLink? = nil, printer: PrinterSettings = PrinterSettings(),
        hoppers: [String: Int] = [:], fontChain: [FontFace] = DriverConfiguration.defaultFontChain,
        printUnits: PrintUnitSetting = .dot300, initialPIN: InitialPINSetting = .usable
    ) {
        self.contactReader = contactReader
        self.contactlessReader = contactlessReader
        self.stringEncoding = stringEncoding
        self.cardTimeoutSeconds = cardTimeoutSeconds
        self.securityModule = securityModule
        self.province = province
        self.printer = printer
        self.hoppers = hoppers
        self.fontChain = fontChain
        self.printUnits = printUnits
        self.initialPIN = initialPIN
    }

    /// Missing keys take their defaults, so a file names only what differs.
    public init(from decoder: any Decoder) throws {
        let d = DriverConfiguration()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contactReader = try c.decodeIfPresent(String.self, forKey: .contactReader) ?? d.contactReader
        contactlessReader = try c.decodeIfPresent(String.self, forKey: .contactlessReader) ?? d.contactlessReader
        stringEncoding = try c.decodeIfPresent(StringEncodingSetting.self, forKey: .stringEncoding) ?? d.stringEncoding
        cardTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .cardTimeoutSeconds) ?? d.cardTimeoutSeconds
        securityModule = try c.decodeIfPresent(SecurityModuleSetting.self, forKey: .securityModule) ?? d.securityModule
        province = try c.decodeIfPresent(ProvinceLink.self, forKey: .province)
        printer = try c.decodeIfPresent(PrinterSettings.self, forKey: .printer) ?? d.printer
        hoppers = try c.decodeIfPresent([String: Int].self, forKey: .hoppers) ?? d.hoppers
        fontChain = try c.decodeIfPresent([FontFace].self, forKey: .fontChain) ?? d.fontChain
        printUnits = try c.decodeIfPresent(PrintUnitSetting.self, forKey: .printUnits) ?? d.printUnits
        initialPIN = try c.decodeIfPresent(InitialPINSetting.self, forKey: .initialPIN) ?? d.initialPIN
        if securityModule == .province, province == nil {
            throw DecodingError.dataCorruptedError(forKey: .province, in: c, debugDescription: "securityModule \"province\" needs province.url")
        }
        // Ranges (hopperCount, cardTimeoutSeconds, hoppers, fontChain…) are checked whole by
        // `problems`, when the file is loaded and when a desk is assembled.
    }

    /// Where the driver looks when no path is given: $SSCARD_DRIVER_CONFIG, then
    /// /etc/sscard/driver.json; neither present means the defaults.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let p = environment["SSCARD_DRIVER_CONFIG"], !p.isEmpty { return p }
        return FileManager.default.fileExists(atPath: "/etc/sscard/driver.json") ? "/etc/sscard/driver.json" : nil
    }

    /// Reads the file at `path` (nil: the default search, else the defaults) and checks it
    /// whole (`problems`): every key out of range is named in one `.invalid`.
    public static func load(path: String?) throws(ConfigurationError) -> DriverConfiguration {
        guard let path = path ?? defaultPath() else { return DriverConfiguration() }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var configuration: DriverConfiguration
        do { configuration = try JSONDecoder().decode(DriverConfiguration.self, from: data) } catch let error as DecodingError {
            throw .invalid(path: path, reason: ConfigurationError.explain(error))
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
        // The province link's files are taken relative to the configuration's folder.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : folder.appendingPathComponent(p).path }
        if var link = configuration.province {
            link.credentialFile = link.credentialFile.map(absolute)
            link.caFile = link.caFile.map(absolute)
            configuration.province = link
        }
        try configuration.validate(source: path)
        return configuration
    }
}

/// A configuration file that cannot be used, with the reason a technician can act on.
public enum ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "配置文件无法读取 / cannot read the configuration \(p): \(r)"
        case .invalid(let p, let r): return "配置文件有误 / the configuration \(p) is invalid: \(r)"
        }
    }

    package static func explain(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON" : "\(path(c)): \(c.debugDescription)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "\(path(c)).\(k.stringValue) is missing"
        @unknown default: return "\(error)"
        }
    }
}
