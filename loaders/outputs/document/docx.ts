import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  ImageRun,
  LevelFormat,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableOfContents,
  TableRow,
  TextRun,
  WidthType,
  type FileChild,
  type IParagraphOptions,
  type IParagraphStyleOptions
} from "docx";
import { estimatePageNumbersWith } from "docx/layout";
import { sanitizeDocx } from "../sanitize.ts";
import { asRun, inlineText, type Block, type Field, type Inline, type SchemaDocument, type Table as TableBlock } from "./model.ts";

/**
 * The schéma as a DOCX that opens in Word and LibreOffice: real heading styles (so the navigation pane and the
 * table of contents work), a TOC field Word updates on opening, tables with repeated header rows, page numbers.
 * The `docx` package escapes every text it is given, so data is inserted as text.
 */

const FONT = "Arial";
const ACCENT = "1F3864";
const LABEL_FILL = "E8EEF7";
const HEADER_FILL = "D6E0F0";
const GRID = "A6A6A6";
/** Usable page width in twentieths of a point (A4, 2 cm margins). */
const PAGE_WIDTH_TWIPS = 9638;
/** Image width on the page, in pixels at 96 dpi (about 16 cm). */
const IMAGE_WIDTH_PX = 600;
const IMAGE_MAX_HEIGHT_PX = 570;

/** Every text reaches the XML through the DOCX sanitiser. */
function runs(items: Inline[], base: { size?: number; italics?: boolean; bold?: boolean; color?: string } = {}): TextRun[] {
  return items.map(asRun).map(
    (r) =>
      new TextRun({
        text: sanitizeDocx(r.text),
        ...base,
        bold: r.bold || r.todo || base.bold,
        italics: r.italic || base.italics,
        highlight: r.todo ? "yellow" : undefined
      })
  );
}

function paragraphOf(items: Inline[], options: IParagraphOptions = {}, base = {}): Paragraph {
  return new Paragraph({ ...options, children: runs(items, base) });
}

/**
 * The grid and the cell margins of every table, set once on the table rather than on each cell: the same drawing,
 * and a commune annex of 800 rows no longer writes (and builds) its borders and margins 6 000 times.
 */
const gridLine = { style: BorderStyle.SINGLE, size: 4, color: GRID };
const tableBorders = { top: gridLine, bottom: gridLine, left: gridLine, right: gridLine, insideHorizontal: gridLine, insideVertical: gridLine };
const cellMargins = { top: 40, bottom: 40, left: 80, right: 80 };

/** Width of one character of the tables' 8.5 pt text, in twips (generous for bold Arial capitals). */
const CHAR_TWIPS = 92;
/** Cell margins left and right plus a little air, in twips. */
const CELL_PADDING_TWIPS = 210;

/** The longest run a line cannot break inside: a word, or a number joined by no-break spaces (`115 527`, `12,5 %`). */
function longestToken(text: string): number {
  return Math.max(0, ...text.split(/[ \t\n/-]+/).map((w) => [...w].length));
}

/**
 * Column widths from the table's relative widths, widened so that no header word and no number is broken across
 * lines (« Populatio / n »): each column gets at least its longest token, the slack of the others pays for it.
 */
export function columnWidths(t: TableBlock, total = PAGE_WIDTH_TWIPS): number[] {
  const weights = t.widths ?? t.headers.map(() => 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const wanted = weights.map((w) => (w / sum) * total);
  const minimum = t.headers.map((h, i) => {
    const cells = [h, ...t.rows.map((row) => inlineText([row[i] ?? ""]))];
    return Math.max(...cells.map(longestToken)) * CHAR_TWIPS + CELL_PADDING_TWIPS;
  });
  let widths = wanted.map((w, i) => Math.max(w, minimum[i]));
  const excess = widths.reduce((a, b) => a + b, 0) - total;
  if (excess > 0) {
    const slack = widths.map((w, i) => Math.max(0, w - minimum[i]));
    const totalSlack = slack.reduce((a, b) => a + b, 0);
    widths = totalSlack >= excess ? widths.map((w, i) => w - (slack[i] / totalSlack) * excess) : widths.map((w) => (w * total) / (total + excess));
  }
  return widths.map((w) => Math.round(w));
}

/**
 * The tables' text in three paragraph styles of the document (8,5 pt; numbers to the right; the header row bold and
 * kept with the next row): a council restyles every table of the schéma at once in Word's style list.
 */
const TABLE_STYLE = "Tableau";
const TABLE_NUMBER_STYLE = "TableauNombre";
const TABLE_HEADER_STYLE = "TableauEntete";
const tableParagraphStyles: IParagraphStyleOptions[] = [
  { id: TABLE_STYLE, name: "Tableau", basedOn: "Normal", quickFormat: true, run: { size: 17 } },
  { id: TABLE_NUMBER_STYLE, name: "Tableau, nombre", basedOn: TABLE_STYLE, quickFormat: true, paragraph: { alignment: AlignmentType.RIGHT } },
  { id: TABLE_HEADER_STYLE, name: "Tableau, en-tête", basedOn: TABLE_STYLE, quickFormat: true, run: { bold: true }, paragraph: { keepNext: true } }
];

/** Body rows kept on the header's page: a table that does not fit starts on the next page rather than with one row. */
const ROWS_KEPT_WITH_HEADER = 3;

function table(t: TableBlock, width = PAGE_WIDTH_TWIPS): FileChild[] {
  const widths = columnWidths(t, width);
  // The header and the first rows stay together (a table never starts at the foot of a page with one row).
  const cell = (content: Inline, i: number, header: boolean, keepNext: boolean, fill?: string) =>
    new TableCell({
      width: { size: widths[i], type: WidthType.DXA },
      shading: fill ? { fill, type: ShadingType.CLEAR, color: "auto" } : undefined,
      // The cell's look is its paragraph style's (the header's keeps it with the next row); only what differs is written:
      // a document has thousands of cells, and each property is an object to build and an element to serialise.
      children: [paragraphOf([content], { style: header ? TABLE_HEADER_STYLE : t.numeric?.[i] ? TABLE_NUMBER_STYLE : TABLE_STYLE, keepNext: keepNext || undefined })]
    });
  const rows = [
    new TableRow({ tableHeader: true, cantSplit: true, children: t.headers.map((h, i) => cell(h, i, true, false, HEADER_FILL)) }),
    ...t.rows.map((row, r) =>
      new TableRow({ cantSplit: true, children: row.map((c, i) => cell(c, i, false, r < ROWS_KEPT_WITH_HEADER - 1, i === 0 && t.swatches?.[r] ? t.swatches[r]!.slice(1) : undefined)) })
    )
  ];
  const out: FileChild[] = [];
  if (t.caption) out.push(paragraphOf([t.caption], { keepNext: true, spacing: { before: 160, after: 80 } }, { bold: true, size: 19, color: ACCENT }));
  out.push(new Table({ rows, width: { size: width, type: WidthType.DXA }, columnWidths: widths, borders: tableBorders, margins: cellMargins }));
  if (t.source) out.push(sourceParagraph(t.source));
  else out.push(new Paragraph({ spacing: { after: 120 }, children: [] }));
  return out;
}

function sourceParagraph(text: string): Paragraph {
  return paragraphOf([text.startsWith("Source") ? text : `Source : ${text}`], { spacing: { before: 40, after: 200 } }, { size: 16, italics: true, color: "595959" });
}

/** Fits an image in 16 cm × 15 cm at 96 dpi, keeping its proportions. */
function imageSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(IMAGE_WIDTH_PX / width, IMAGE_MAX_HEIGHT_PX / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

let listInstance = 0;

function blockChildren(b: Block, width = PAGE_WIDTH_TWIPS): FileChild[] {
  switch (b.kind) {
    case "heading": {
      const level = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3][b.level - 1];
      return [paragraphOf([b.text], { heading: level, pageBreakBefore: b.pageBreakBefore, keepNext: true })];
    }
    case "paragraph":
      if (b.style === "source") return [sourceParagraph(inlineText(b.runs))];
      if (b.style === "lead") return [paragraphOf(b.runs, { spacing: { after: 160 }, keepNext: true }, { size: 24, color: ACCENT })];
      if (b.style === "note") return [paragraphOf(b.runs, { spacing: { after: 120 } }, { italics: true, size: 18, color: "404040" })];
      return [paragraphOf(b.runs, { spacing: { after: 120 }, alignment: AlignmentType.JUSTIFIED })];
    case "list": {
      const instance = ++listInstance;
      return b.items.map((item) =>
        paragraphOf(item, b.ordered ? { numbering: { reference: "ordered", level: 0, instance }, spacing: { after: 60 } } : { bullet: { level: 0 }, spacing: { after: 60 } })
      );
    }
    case "table":
      return table(b, width);
    case "fields":
      return [...fieldsBlocks(b.entries), new Paragraph({ spacing: { after: 200 }, children: [] })];
    case "figure":
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          keepNext: true,
          children: [
            // The SVG (with its legend and scale as text) for Word 2016+ and LibreOffice, the PNG for older readers.
            b.svg
              ? new ImageRun({
                  type: "svg",
                  data: Buffer.from(b.svg, "utf8"),
                  fallback: { type: "png", data: b.png },
                  transformation: imageSize(b.width, b.height),
                  altText: { name: sanitizeDocx(b.fileName), title: sanitizeDocx(b.caption), description: sanitizeDocx(b.alt) }
                })
              : new ImageRun({
                  type: "png",
                  data: b.png,
                  transformation: imageSize(b.width, b.height),
                  altText: { name: sanitizeDocx(b.fileName), title: sanitizeDocx(b.caption), description: sanitizeDocx(b.alt) }
                })
          ]
        }),
        paragraphOf([b.caption], { alignment: AlignmentType.CENTER, keepNext: true, spacing: { before: 60 } }, { bold: true, size: 18, color: ACCENT }),
        sourceParagraph(b.source)
      ];
    case "cover":
      return [
        new Paragraph({ spacing: { before: 2400 }, children: [] }),
        paragraphOf([b.surtitre], { spacing: { after: 240 } }, { size: 26, color: "595959" }),
        paragraphOf([b.titre], { spacing: { after: 360 } }, { size: 52, bold: true, color: ACCENT }),
        paragraphOf([b.territoire], { spacing: { after: 1200 }, border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: ACCENT, space: 8 } } }, { size: 36, color: ACCENT }),
        ...b.mentions.map((m) => paragraphOf(m, { spacing: { after: 120 } }, { size: 20 }))
      ];
    case "toc":
      return [
        paragraphOf([b.titre], { pageBreakBefore: true, spacing: { after: 240 } }, { size: 32, bold: true, color: ACCENT }),
        new TableOfContents(b.titre, { hyperlink: true, headingStyleRange: "1-2" })
      ];
    case "pageBreak":
      return [new Paragraph({ pageBreakBefore: true, children: [] })];
  }
}

/**
 * A fiche action: each field is a shaded label bar followed by its content at full width. (A two-column table reads
 * the same but its long cells split badly across pages, and are awkward to edit in Word.)
 */
function fieldsBlocks(entries: Field[]): FileChild[] {
  return entries.flatMap((f) => [
    paragraphOf([f.label], {
      keepNext: true,
      keepLines: true,
      spacing: { before: 160, after: 80 },
      shading: { fill: LABEL_FILL, type: ShadingType.CLEAR, color: "auto" },
      border: { left: { style: BorderStyle.SINGLE, size: 18, color: ACCENT, space: 4 } }
    }, { bold: true, size: 19, color: ACCENT }),
    ...f.content.flatMap((b) => blockChildren(b))
  ]);
}

/**
 * Writes the document to DOCX bytes. `pageNumbers` also writes the table of contents' page numbers, estimated by
 * laying the pages out (for LibreOffice and PDF conversion, which show fields as written); it is slow (seconds
 * per document), so it is off by default: Word fills them in when it updates the fields on opening.
 */
export async function toDocx(doc: SchemaDocument, { pageNumbers = false } = {}): Promise<Buffer> {
  listInstance = 0;
  const heading = (size: number, before: number) => ({
    run: { font: FONT, size, bold: true, color: ACCENT },
    paragraph: { spacing: { before, after: 120 }, keepNext: true, keepLines: true }
  });
  const document = new Document({
    creator: "sdin",
    title: sanitizeDocx(doc.title),
    subject: sanitizeDocx(doc.subject),
    // Word updates the fields (table of contents, page count) when it opens the file; the estimated page numbers
    // are for applications that show the fields as written (LibreOffice, viewers, PDF conversion).
    features: { updateFields: true },
    ...(pageNumbers ? { pageNumbers: estimatePageNumbersWith({ guess: true }) } : {}),
    styles: {
      default: {
        document: { run: { font: FONT, size: 20, language: { value: "fr-FR" } }, paragraph: { spacing: { line: 276, lineRule: LineRuleType.AUTO } } },
        heading1: heading(32, 360),
        heading2: heading(26, 280),
        heading3: heading(22, 220)
      },
      paragraphStyles: tableParagraphStyles
    },
    numbering: {
      config: [{ reference: "ordered", levels: [{ level: 0, format: LevelFormat.DECIMAL, text: "%1.", alignment: AlignmentType.START, style: { paragraph: { indent: { left: 500, hanging: 300 } } } }] }]
    },
    sections: [
      {
        properties: { titlePage: true, page: { margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 } } },
        headers: {
          default: new Header({ children: [paragraphOf([doc.title], { alignment: AlignmentType.RIGHT }, { size: 16, color: "808080" })] }),
          first: new Header({ children: [new Paragraph("")] })
        },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ size: 16, color: "808080", children: ["Page ", PageNumber.CURRENT, " sur ", PageNumber.TOTAL_PAGES] })] })]
          }),
          first: new Footer({ children: [new Paragraph("")] })
        },
        children: doc.blocks.flatMap((b) => blockChildren(b))
      }
    ]
  });
  return Packer.toBuffer(document);
}
