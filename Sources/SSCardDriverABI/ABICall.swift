import SSCardDriver

/// The frame of every C function: check the output buffer, run the driver, write the result.
/// No Swift error crosses the boundary: every failure becomes a negative code and a message.
enum ABICall {
    /// Runs `body` and writes its output into `out` (capacity `size`); returns the code.
    static func run(_ out: UnsafeMutablePointer<CChar>?, _ size: Int, _ body: (SSCardInterface) -> InterfaceResult) -> Int {
        guard let out, size > 0 else { return -14 }
        let encoding = DriverInstance.encoding
        switch DriverInstance.with(body) {
        case .success(let result):
            ABIText.write(result.output, to: out, capacity: size, encoding: encoding)
            return result.code
        case .failure(let failure):
            ABIText.write(failure.message, to: out, capacity: size, encoding: encoding)
            return failure.code
        }
    }

    /// Reads the string parameters first; a NULL, over-long or badly encoded one is refused
    /// with its name before the driver runs.
    static func run(
        _ out: UnsafeMutablePointer<CChar>?, _ size: Int, strings: [(UnsafeMutablePointer<CChar>?, String)],
        _ body: (SSCardInterface, [String]) -> InterfaceResult
    ) -> Int {
        let encoding = DriverInstance.encoding
        var values: [String] = []
        for (pointer, name) in strings {
            switch ABIText.read(pointer.map { UnsafePointer($0) }, parameter: name, encoding: encoding) {
            case .success(let text): values.append(text)
            case .failure(let failure):
                guard let out, size > 0 else { return -14 }
                ABIText.write(failure.message, to: out, capacity: size, encoding: encoding)
                return failure.code
            }
        }
        return run(out, size) { body($0, values) }
    }
}
