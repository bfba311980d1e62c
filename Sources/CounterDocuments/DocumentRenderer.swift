import CCairo
import Foundation
import SSCardDriver

/// Lays a `CounterDocument` out on A4 pages and writes it as a PDF with cairo, the text drawn
/// with the card face's font chain through FreeType (`CairoFontChain`), so whatever the card
/// prints the paper prints too. cairo embeds the glyphs used and maps them back to Unicode, so
/// the PDF's text can be searched and extracted (pdftotext shows the holder's name).
public struct DocumentRenderer: Sendable {
    /// The font chain, the card face's by default (`DriverConfiguration.fontChain`).
    public let fontFaces: [DriverConfiguration.FontFace]

    public init(fontFaces: [DriverConfiguration.FontFace] = DriverConfiguration.defaultFontChain) {
        self.fontFaces = fontFaces
    }

    /// A4 in PDF points (1/72 inch) and the margins.
    static let pageWidth = 595.276, pageHeight = 841.89, margin = 56.0

    /// The document as PDF bytes.
    public func pdf(_ document: CounterDocument) throws(DocumentError) -> [UInt8] {
        let fonts = try CairoFontChain.shared(fontFaces)
        fonts.lock.lock()
        defer { fonts.lock.unlock() }
        let sink = PDFSink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        guard let surface = cairo_pdf_surface_create_for_stream(pdfWrite, box.toOpaque(), Self.pageWidth, Self.pageHeight) else {
            throw .cairo("cairo_pdf_surface_create_for_stream returned nothing")
        }
        defer { cairo_surface_destroy(surface) }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, document.title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "issue-station")
        guard let cr = cairo_create(surface) else { throw .cairo("cairo_create returned nothing") }
        defer { cairo_destroy(cr) }
        var page = PageWriter(cr: cr, fonts: fonts)
        try page.text(document.title, size: 16, bold: true)
        page.space(10)
        for block in document.blocks { try page.block(block) }
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw .cairo(String(cString: cairo_status_to_string(status))) }
        return sink.bytes
    }
}

/// Where cairo's PDF stream goes. Used by one render at a time, under the font chain's lock.
private final class PDFSink: @unchecked Sendable {
    // `@unchecked Sendable`: written only by cairo's callback during one `pdf(_:)` call.
    var bytes: [UInt8] = []
}

private func pdfWrite(_ closure: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: UInt32) -> cairo_status_t {
    guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue()
    if let data, length > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
    return CAIRO_STATUS_SUCCESS
}

/// The pen on the current page: wraps text to the width and starts a new page at the bottom.
private struct PageWriter {
    let cr: OpaquePointer
    let fonts: CairoFontChain
    var y = DocumentRenderer.margin
    let left = DocumentRenderer.margin
    let width = DocumentRenderer.pageWidth - 2 * DocumentRenderer.margin

    init(cr: OpaquePointer, fonts: CairoFontChain) {
        self.cr = cr
        self.fonts = fonts
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_set_line_width(cr, 0.6)
    }

    mutating func space(_ points: Double) { y += points }

    mutating func newPageIfNeeded(_ height: Double) {
        if y + height > DocumentRenderer.pageHeight - DocumentRenderer.margin {
            cairo_show_page(cr)
            y = DocumentRenderer.margin
        }
    }

    mutating func block(_ block: DocumentBlock) throws(DocumentError) {
        switch block {
        case .heading(let text):
            space(6)
            try self.text(text, size: 12.5, bold: true)
            space(2)
        case .paragraph(let text):
            try self.text(text, size: 10.5)
        case .field(let label, let value):
            let labelWidth = 130.0
            let lines = try wrap(value, size: 10.5, width: width - labelWidth)
            newPageIfNeeded(Double(max(lines.count, 1)) * 16)
            try draw(label + "：", x: left, baseline: y + 12, size: 10.5)
            for (i, line) in lines.enumerated() { try draw(line, x: left + labelWidth, baseline: y + 12 + Double(i) * 16, size: 10.5) }
            y += Double(max(lines.count, 1)) * 16 + 2
        case .table(let header, let rows):
            try table(header: header, rows: rows)
        case .signature(let label):
            space(14)
            newPageIfNeeded(30)
            try draw(label + "：", x: left, baseline: y + 12, size: 10.5)
            cairo_move_to(cr, left + 130, y + 14)
            cairo_line_to(cr, left + width, y + 14)
            cairo_stroke(cr)
            y += 26
        case .gap:
            space(12)
        }
    }

    mutating func text(_ text: String, size: Double, bold: Bool = false) throws(DocumentError) {
        for line in try wrap(text, size: size, width: width) {
            newPageIfNeeded(size * 1.5)
            try draw(line, x: left, baseline: y + size * 1.15, size: size)
            if bold {
                // No bold face in the chain: a heading is drawn twice, offset by a hair.
                try draw(line, x: left + 0.35, baseline: y + size * 1.15, size: size)
            }
            y += size * 1.5
        }
    }

    mutating func table(header: [String], rows: [[String]]) throws(DocumentError) {
        let columns = max(header.count, rows.map(\.count).max() ?? 0, 1)
        let columnWidth = width / Double(columns)
        let size = 9.0, lineHeight = 13.0
        for (index, row) in ([header] + rows).enumerated() {
            let cells = try (0..<columns).map { c throws(DocumentError) in
                try wrap(c < row.count ? row[c] : "", size: size, width: columnWidth - 6)
            }
            let height = Double(max(cells.map(\.count).max() ?? 1, 1)) * lineHeight + 4
            newPageIfNeeded(height)
            for (c, lines) in cells.enumerated() {
                for (i, line) in lines.enumerated() {
                    try draw(line, x: left + Double(c) * columnWidth + 3, baseline: y + 11 + Double(i) * lineHeight, size: size)
                }
            }
            if index == 0 {
                cairo_move_to(cr, left, y + height)
                cairo_line_to(cr, left + width, y + height)
                cairo_stroke(cr)
            }
            y += height
        }
        space(4)
    }

    /// Lines of `text` no wider than `width` at `size`, broken between characters (CJK text
    /// has no spaces to break at); "\n" starts a new line.
    func wrap(_ text: String, size: Double, width: Double) throws(DocumentError) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = "", lineWidth = 0.0
            for character in paragraph {
                let advance = try self.width(String(character), size: size)
                if lineWidth + advance > width, !line.isEmpty {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                line.append(character)
                lineWidth += advance
            }
            lines.append(line)
        }
        return lines
    }

    func width(_ text: String, size: Double) throws(DocumentError) -> Double {
        var total = 0.0
        for run in try fonts.runs(text) {
            cairo_set_font_face(cr, fonts.faces[run.face])
            cairo_set_font_size(cr, size)
            var extents = cairo_text_extents_t()
            cairo_text_extents(cr, run.text, &extents)
            total += extents.x_advance
        }
        return total
    }

    /// Draws `text` from (x, baseline), each run with its face.
    func draw(_ text: String, x: Double, baseline: Double, size: Double) throws(DocumentError) {
        cairo_move_to(cr, x, baseline)
        for run in try fonts.runs(text) {
            cairo_set_font_face(cr, fonts.faces[run.face])
            cairo_set_font_size(cr, size)
            cairo_show_text(cr, run.text)
        }
    }
}
