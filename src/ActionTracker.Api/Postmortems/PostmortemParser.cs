using System.Text;
using System.Text.RegularExpressions;

namespace ActionTracker.Api.Postmortems;

/// <summary>Actions: entries to import. Prose: what the authors say they will change, in sentences. Other: never imported.</summary>
public enum SectionKind { Action, Prose, Other }

/// <summary>A heading the parser recognised: its text as written, what kind of section it opens, its line.</summary>
public sealed record FoundSection(string Heading, SectionKind Kind, int Line);

/// <param name="Fingerprint">The action's own words normalised: what a re-import is recognised by.</param>
/// <param name="Checked">The entry had a ticked checkbox (<c>[x]</c>) in the document.</param>
public sealed record FoundAction(string Title, string? Description, string Fingerprint, bool Checked, string Section, int Line);

public sealed record SkippedEntry(string Text, string Reason, int Line);

/// <summary>A paragraph or list entry of a prose section, its lines joined: where commitment sentences are looked for.</summary>
/// <param name="Starts">Where in <see cref="Text"/> each of its lines begins, from <see cref="Line"/> on.</param>
public sealed record ProseBlock(string Section, int Line, string Text, IReadOnlyList<int> Starts)
{
    /// <summary>The document line on which the text at <paramref name="offset"/> stands.</summary>
    public int LineAt(int offset) => Line + Markup.IndexOfLast(Starts, offset);
}

public sealed record ParsedPostmortem(
    IReadOnlyList<FoundSection> Sections,
    IReadOnlyList<FoundAction> Actions,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyList<ProseBlock> Prose)
{
    public bool HasActionSection => Sections.Any(s => s.Kind == SectionKind.Action);
}

/// <summary>
/// Finds the action items of a postmortem written in markdown or plain text, as status pages and
/// postmortem repositories publish them. Pure: text in, sections, actions and skipped entries out.
/// <para>
/// Headings: markdown ATX (<c>#</c>..<c>######</c>) and setext underlines, and in plain text a line
/// of its own naming a known section (optionally bold, numbered or ending with ':'). Sections nest
/// by level; a sub-heading with an unknown name belongs to the section above it, so "Short term"
/// under "Action items" still holds actions, while a known name ("Lessons learned") always opens a
/// section of its own kind. Quoted blocks, fenced code and HTML comments never count.
/// </para>
/// <para>
/// Entries: numbered, bulleted or lettered list items with their continuation lines (nested items
/// belong to their parent), table rows, or, in a section without any list, one paragraph each.
/// </para>
/// </summary>
public static partial class PostmortemParser
{
    public const int MinWords = 3;
    public const int MaxTitle = 200;
    public const int MaxDescription = 4000;

    /// <summary>
    /// The longest line a document may have (a 400 names the first longer one): room for a long
    /// paragraph written on one line, while what one line costs the parser stays bounded.
    /// </summary>
    public const int MaxLineLength = 20_000;

    public const string EmptyEntry = "empty entry";
    public const string TooShort = "too short to be an action (fewer than 3 words)";
    public const string Duplicate = "duplicate of an earlier action in this document";
    public const string OutsideList = "text between the list entries, not an action";
    public const string LooksLikeHeading = "looks like a heading, not an action";

    /// <summary>The section names that hold actions, as the 400 for a document without one lists them.</summary>
    public static readonly string[] ActionSectionNames =
    [
        "Action items", "Corrective actions", "Planned corrective actions", "Follow-up actions", "Remediation",
        "Next steps", "Action plan", "Preventive actions", "Follow-ups", "To do",
    ];

    // Matched on the normalised heading (lower case, words only). A short heading that ends with one
    // of the names of two words or more ("Incident action items") counts too, unless it names
    // another kind of section first ("Mitigation actions" is what was done, not what is to do).
    private static readonly HashSet<string> ActionNames = new(StringComparer.Ordinal)
    {
        "action items", "action item", "actions", "action plan", "actionables", "action points",
        "corrective actions", "corrective action items", "planned corrective actions",
        "corrective and preventive actions", "corrective and preventative actions", "capa",
        "preventive actions", "preventative actions", "preventive measures", "preventative measures",
        "follow up actions", "follow up action items", "follow up items", "follow ups", "followups", "follow up",
        "remediation", "remediations", "remediation items", "remediation actions", "remediation steps", "remediation plan",
        "next steps", "planned actions", "repair items", "todo", "to do", "todos",
    };

    // Sections that are never imported: what happened, why, and what was already done. A heading
    // equal to, starting with or ending with one of these is one of them ("Detailed timeline",
    // "Root cause analysis", "Mitigation already carried out").
    private static readonly string[] OtherNames =
    [
        "timeline", "root cause", "root causes", "rca", "lessons learned", "lessons learnt", "lessons",
        "contributing factors", "contributing factor", "contributing", "resolution", "mitigation", "mitigations",
        "impact", "summary", "background", "what happened", "what went well", "what went wrong",
        "where we got lucky", "detection", "trigger", "recovery", "appendix", "acknowledgements",
        "acknowledgments", "conclusion", "glossary", "supporting information", "analysis", "investigation",
        "steps taken", "overview", "introduction", "references", "postmortem", "post mortem",
    ];

    // Sections where the authors say in sentences what they will change: their commitments are
    // candidates of lower confidence. Matched as words anywhere in a heading that is neither an
    // action nor another known section ("Future Prevention and Process Improvement").
    private static readonly string[] ProseWords =
    [
        "prevent", "prevention", "preventing", "improvement", "improvements", "improving", "going forward",
        "moving forward", "what we are changing", "what we re changing", "what we are doing", "what we re doing",
        "changes we are making", "our commitment", "commitments", "future work", "followup", "follow up",
    ];

    // Sub-headings that group an action list by horizon or state ("Short term"): in plain text,
    // where headings have no levels, they continue the action section; any other heading ends it.
    private static readonly HashSet<string> ActionGroups = new(StringComparer.Ordinal)
    {
        "short term", "long term", "medium term", "near term", "mid term", "immediate", "immediately", "now", "later",
        "open", "in progress", "completed", "done", "pending", "ongoing", "planned",
    };

    // Status-page update labels: after the postmortem, a status page lists its updates under these.
    private static readonly HashSet<string> StatusWords = new(StringComparer.Ordinal)
    {
        "resolved", "monitoring", "identified", "investigating", "update",
    };

    private static readonly HashSet<string> SmallWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "vs", "via", "with",
    };

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "approx", "incl", "cf", "mr", "ms", "dr", "no", "fig",
    };

    /// <param name="importFrom">
    /// Headings named by the caller (as written, any case): these sections hold the actions, and
    /// no other does, whatever their names say.
    /// </param>
    /// <param name="ct">Looked at line by line: a request cut off (its client gone, its time up) stops the parse.</param>
    public static ParsedPostmortem Parse(string text, IReadOnlyCollection<string>? importFrom = null, CancellationToken ct = default)
    {
        var lines = Classify(Prepare(text), ct);
        var chosen = importFrom?.Select(Normalise).ToHashSet(StringComparer.Ordinal);
        if (chosen is not null)
            foreach (var line in lines.Where(l => l.Kind == LineKind.Heading))
                line.Section = chosen.Contains(Normalise(line.HeadingText)) ? SectionKind.Action
                    : line.Section == SectionKind.Action ? SectionKind.Other : line.Section;

        var sections = new List<FoundSection>();
        var bodies = new List<SectionBody>();
        // Open headings, outermost first: a section's kind is that of its nearest known heading.
        var open = new List<Line>();
        SectionBody? body = null;

        foreach (var line in lines)
        {
            ct.ThrowIfCancellationRequested();
            if (line.Kind == LineKind.Heading)
            {
                // In plain text every heading ends the section before it, known or not, except a
                // horizon under an action section ("Short term"); markdown says by its levels.
                if (line.Level == 8 && !(open.LastOrDefault(h => h.Section is not null)?.Section == SectionKind.Action
                                         && ActionGroups.Contains(Normalise(line.HeadingText))))
                {
                    line.Level = 7;
                    line.Section ??= chosen is null ? SectionKind.Other : chosen.Contains(Normalise(line.HeadingText)) ? SectionKind.Action : SectionKind.Other;
                }
                while (open.Count > 0 && open[^1].Level >= line.Level)
                    open.RemoveAt(open.Count - 1);
                open.Add(line);
                var owner = open.LastOrDefault(h => h.Section is not null);
                sections.Add(new FoundSection(line.HeadingText, owner == line ? line.Section!.Value : owner?.Section ?? SectionKind.Other, line.Number));
                if (owner?.Section is SectionKind.Action or SectionKind.Prose)
                {
                    if (body?.Heading != owner)
                        bodies.Add(body = new SectionBody(owner));
                    // A sub-heading inside an action section separates entries; a generic
                    // heading-like line is reported, since it could have been meant as an action.
                    body.Lines.Add(line);
                }
                else
                {
                    body = null;
                }
                continue;
            }
            body?.Lines.Add(line);
        }

        var actions = new List<FoundAction>();
        var skipped = new List<SkippedEntry>();
        var prose = new List<ProseBlock>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in bodies)
        {
            ct.ThrowIfCancellationRequested();
            if (section.Heading.Section == SectionKind.Prose)
            {
                prose.AddRange(ProseBlocks(section));
                continue;
            }
            foreach (var entry in Entries(section, skipped))
            {
                ct.ThrowIfCancellationRequested();
                Accept(entry, section.Heading.HeadingText, seen, actions, skipped);
            }
        }

        return new ParsedPostmortem(sections, actions, skipped.OrderBy(s => s.Line).ToList(), prose);
    }

    /// <summary>A prose section's paragraphs and list entries, each as one text with the line it starts on.</summary>
    private static IEnumerable<ProseBlock> ProseBlocks(SectionBody body)
    {
        var text = new StringBuilder();
        var starts = new List<int>();
        var start = 0;
        foreach (var line in body.Lines.Append(null))
        {
            var breaks = line is null || line.Kind is LineKind.Blank or LineKind.Heading or LineKind.Rule or LineKind.ListItem or LineKind.TableRow;
            if (breaks && text.Length > 0)
            {
                yield return new ProseBlock(body.Heading.HeadingText, start, text.ToString(), starts.ToArray());
                text.Clear();
                starts.Clear();
            }
            if (line is null || line.Kind is LineKind.Blank or LineKind.Heading or LineKind.Rule or LineKind.Ignored)
                continue;
            if (text.Length == 0)
                start = line.Number;
            else
                text.Append(' ');
            starts.Add(text.Length);
            text.Append(Clean(line.Kind == LineKind.ListItem ? line.ItemText : line.Content));
        }
    }

    /// <summary>Lower case, letters and digits only, single spaces: equal for the same action however it is marked up.</summary>
    public static string Fingerprint(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = true;
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }
        return builder.ToString().TrimEnd();
    }

    /// <summary>A status page's update label or "Posted ..." line: a boundary, not a section worth naming.</summary>
    public static bool IsStatusUpdate(string heading) => PostedLine().IsMatch(heading) || StatusWords.Contains(Normalise(heading));

    // ---- Lines -------------------------------------------------------------------------------

    private enum LineKind { Blank, Ignored, Rule, Heading, ListItem, TableRow, Text }

    private sealed class Line(int number, string raw)
    {
        public int Number { get; } = number;
        public string Content { get; } = raw.Trim();
        public int Indent { get; } = raw.Length - raw.TrimStart().Length;
        public LineKind Kind { get; set; }

        /// <summary>1-6 markdown, 7 a known name in plain text, 8 a heading-like line of unknown name.</summary>
        public int Level { get; set; }
        public string HeadingText { get; set; } = "";
        public SectionKind? Section { get; set; }

        /// <summary>For list items: the text after the marker, and where that text starts.</summary>
        public string ItemText { get; set; } = "";
        public int ItemIndent { get; set; }
    }

    private sealed class SectionBody(Line heading)
    {
        public Line Heading { get; } = heading;
        public List<Line> Lines { get; } = [];
    }

    /// <summary>Normalises line ends, tabs and odd spaces, and blanks out HTML comments (keeping line numbers).</summary>
    private static string[] Prepare(string text)
    {
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        text = Markup.BlankComments(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\t': builder.Append("    "); break;
                case '\u00A0' or '\u2007' or '\u202F' or '\u2002' or '\u2003' or '\u2009': builder.Append(' '); break;
                case '\u200B' or '\u200C' or '\u200D' or '\u2060': break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString().Split('\n');
    }

    private static List<Line> Classify(string[] raw, CancellationToken ct)
    {
        var lines = new List<Line>(raw.Length);
        string? fence = null;
        for (var i = 0; i < raw.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var line = new Line(i + 1, raw[i].TrimEnd());
            lines.Add(line);
            var content = line.Content;
            if (fence is not null)
            {
                line.Kind = LineKind.Ignored;
                if (content.StartsWith(fence, StringComparison.Ordinal))
                    fence = null;
                continue;
            }
            if (content.StartsWith("```", StringComparison.Ordinal) || content.StartsWith("~~~", StringComparison.Ordinal))
            {
                fence = content[..3];
                line.Kind = LineKind.Ignored;
                continue;
            }
            var previous = i > 0 ? lines[i - 1] : null;
            var blockStart = previous is null or { Kind: LineKind.Blank or LineKind.Heading or LineKind.Rule or LineKind.Ignored };

            if (content.Length == 0)
                line.Kind = LineKind.Blank;
            else if (content[0] == '>')
                // A quoted block (an old postmortem, a template, a customer's words) is not this document's structure.
                line.Kind = LineKind.Ignored;
            else if (line.Indent <= 3 && Markup.TryAtxHeading(content, out var level, out var heading))
                MakeHeading(line, heading, level, plain: false);
            else if (previous is { Kind: LineKind.Text or LineKind.Heading, Level: 0 or 7 or 8 } && Underline().IsMatch(content)
                     && IsParagraphStart(lines, i - 1))
            {
                MakeHeading(previous, previous.Content, content[0] == '=' ? 1 : 2, plain: false);
                line.Kind = LineKind.Ignored;
            }
            else if (Rule().IsMatch(content))
                line.Kind = LineKind.Rule;
            else if (ListItem().Match(content) is { Success: true } item)
            {
                line.Kind = LineKind.ListItem;
                line.ItemText = item.Groups["text"].Value;
                line.ItemIndent = line.Indent + item.Groups["text"].Index;
                // "5. Action items" in a numbered plain-text document is a heading, not an entry.
                if (blockStart && Known(Strip(line.ItemText), exactOnly: true) is { } kind)
                    MakeHeading(line, line.ItemText, 7, plain: true, kind);
            }
            else if (content[0] == '|')
                line.Kind = LineKind.TableRow;
            else
            {
                line.Kind = LineKind.Text;
                var cleaned = Clean(content);
                var text = cleaned.TrimEnd(':').Trim();
                if (PostedLine().IsMatch(text))
                    // A status page's "Posted Oct 06, 2023 - 16:27 PDT": the postmortem's text ends here.
                    MakeHeading(line, content, 7, plain: true, SectionKind.Other);
                else if (!blockStart && (cleaned.EndsWith(':') || IsHeadingLike(text)) && Known(text, exactOnly: true) is { } known)
                    // "Lessons learned:" right under the last entry of a list still ends it.
                    MakeHeading(line, content, 7, plain: true, known);
                else if (blockStart && text.Length <= 100)
                {
                    // A sentence is a heading only when it is exactly a known name ("What happened?");
                    // a short line may also start or end with one ("Root cause analysis").
                    var sentence = EndsLikeSentence(text);
                    var headingLike = !sentence && IsHeadingLike(text);
                    var exactOnly = sentence || (!headingLike && text.Split(' ').Length > 4);
                    if (Known(text, exactOnly, prose: headingLike || cleaned.EndsWith(':')) is { } kind && (!sentence || text.EndsWith('?')))
                        MakeHeading(line, content, 7, plain: true, kind);
                    else if (!sentence && StatusWords.Contains(Normalise(text)))
                        MakeHeading(line, content, 7, plain: true, SectionKind.Other);
                    else if (headingLike || (!sentence && text.Split(' ').Length <= 6 && StandsAboveList(raw, i)))
                        // A heading we do not know ("Attendees", "stats"): it ends the section before it.
                        MakeHeading(line, content, 8, plain: true, section: null);
                }
            }
        }
        return lines;
    }

    /// <summary>A line alone between blank lines whose next text is a list: a plain-text heading of a list.</summary>
    private static bool StandsAboveList(string[] raw, int index)
    {
        if (index + 1 >= raw.Length || raw[index + 1].Trim().Length > 0)
            return false;
        var next = raw.Skip(index + 1).FirstOrDefault(r => r.Trim().Length > 0)?.Trim();
        return next is not null && ListItem().IsMatch(next);
    }

    /// <summary>The line starts a paragraph: a setext underline makes only a one-line paragraph a heading.</summary>
    private static bool IsParagraphStart(List<Line> lines, int index) =>
        index == 0 || lines[index - 1].Kind is LineKind.Blank or LineKind.Heading or LineKind.Rule or LineKind.Ignored;

    private static void MakeHeading(Line line, string text, int level, bool plain, SectionKind? section = null)
    {
        line.Kind = LineKind.Heading;
        line.Level = level;
        line.HeadingText = Strip(text).TrimEnd(':').Trim();
        line.Section = plain ? section : Known(line.HeadingText, exactOnly: false, prose: true);
    }

    /// <summary>What kind of section a heading names, or null when the name is not a known one.</summary>
    /// <param name="prose">Whether a name about prevention or improvement makes a prose section: for
    /// markdown headings and plain lines that look like headings, never for a short sentence.</param>
    private static SectionKind? Known(string heading, bool exactOnly, bool prose = false)
    {
        var name = Normalise(heading);
        if (name.Length == 0)
            return null;
        if (ActionNames.Contains(name))
            return SectionKind.Action;
        var words = name.Split(' ');
        if (OtherNames.Any(o => name == o || (!exactOnly && words.Length <= 8 && (name.StartsWith(o + " ", StringComparison.Ordinal) || name.EndsWith(" " + o, StringComparison.Ordinal)))))
            return SectionKind.Other;
        if (!exactOnly && words.Length <= 5 && ActionNames.Any(a => a.Contains(' ', StringComparison.Ordinal) && name.EndsWith(" " + a, StringComparison.Ordinal)))
            return SectionKind.Action;
        if (prose && words.Length <= 10 && ProseWords.Any(p => $" {name} ".Contains($" {p}", StringComparison.Ordinal)))
            return SectionKind.Prose;
        return null;
    }

    /// <summary>A heading's name as matched: no numbering, parenthesis, trailing colon or punctuation; lower case.</summary>
    private static string Normalise(string heading)
    {
        var text = heading;
        var cut = text.IndexOfAny(['(', '[']);
        if (cut > 0)
            text = text[..cut];
        text = Numbering().Replace(text.Trim(), "");
        return Fingerprint(text);
    }

    private static bool EndsLikeSentence(string text) => text.Length > 0 && text[^1] is '.' or ',' or ';' or '!' or '?';

    /// <summary>
    /// A short line in Title Case or UPPER CASE with no sentence punctuation, e.g. "What We Changed":
    /// a heading of a name we do not know. It never ends an action section (it may be a sub-heading
    /// such as "Short Term"), but it is not an action either.
    /// </summary>
    private static bool IsHeadingLike(string text)
    {
        var words = text.TrimEnd(':').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 8 || !char.IsUpper(text[0]))
            return false;
        return words.All(w => !w.Any(char.IsLetter) || SmallWords.Contains(w) || char.IsUpper(w.First(char.IsLetterOrDigit)) || !char.IsLetter(w.First(char.IsLetterOrDigit)));
    }

    // ---- Entries -------------------------------------------------------------------------------

    /// <summary>Marks a blank line between an entry's paragraphs: the title comes from the first.</summary>
    private const string ParagraphBreak = "";

    private sealed class Entry(int line, int markerIndent)
    {
        public int Line { get; } = line;
        public int MarkerIndent { get; } = markerIndent;
        public List<string> Main { get; } = [];
        public List<(int Indent, List<string> Text)> Subs { get; } = [];
    }

    /// <summary>Splits one action section into entries; prose around a list is reported as skipped.</summary>
    private static IEnumerable<Entry> Entries(SectionBody body, List<SkippedEntry> skipped)
    {
        // Sub-headings split the section into blocks; each block is a list, a table or paragraphs.
        var block = new List<Line>();
        foreach (var line in body.Lines.Append<Line?>(null))
        {
            if (line is null || line.Kind == LineKind.Heading)
            {
                foreach (var entry in BlockEntries(block, skipped))
                    yield return entry;
                block.Clear();
                if (line is not null && line != body.Heading && line.Level == 8)
                    skipped.Add(new SkippedEntry(line.HeadingText, LooksLikeHeading, line.Number));
                continue;
            }
            block.Add(line);
        }
    }

    private static List<Entry> BlockEntries(List<Line> block, List<SkippedEntry> skipped)
    {
        var entries = new List<Entry>();
        var listed = block.Any(l => l.Kind is LineKind.ListItem or LineKind.TableRow);
        Entry? current = null;
        Entry? prose = null;
        var afterBlank = true;
        var table = new List<Line>();

        void Close()
        {
            if (current is not null)
                entries.Add(current);
            current = null;
        }
        void CloseProse()
        {
            if (prose is null)
                return;
            if (listed)
                skipped.Add(new SkippedEntry(Clean(string.Join(" ", prose.Main)), OutsideList, prose.Line));
            else
                entries.Add(prose);
            prose = null;
        }
        void CloseTable()
        {
            if (table.Count > 0)
                entries.AddRange(TableEntries(table));
            table.Clear();
        }

        foreach (var line in block)
        {
            if (line.Kind != LineKind.TableRow)
                CloseTable();
            switch (line.Kind)
            {
                case LineKind.Blank or LineKind.Ignored:
                    afterBlank = true;
                    CloseProse();
                    break;
                case LineKind.Rule:
                    afterBlank = true;
                    CloseProse();
                    Close();
                    break;
                case LineKind.TableRow:
                    CloseProse();
                    Close();
                    table.Add(line);
                    afterBlank = false;
                    break;
                case LineKind.ListItem:
                    CloseProse();
                    if (current is not null && line.Indent > current.MarkerIndent)
                        current.Subs.Add((line.ItemIndent, [line.ItemText]));
                    else
                    {
                        Close();
                        current = new Entry(line.Number, line.Indent);
                        current.Main.Add(line.ItemText);
                    }
                    afterBlank = false;
                    break;
                default:
                    if (current is not null && (!afterBlank || line.Indent > current.MarkerIndent))
                    {
                        // Continuation: a lazy or indented line belongs to the latest item it can;
                        // after a blank line, text indented less than a sub-item goes back to the parent.
                        if (current.Subs.Count > 0 && (!afterBlank || line.Indent >= current.Subs[^1].Indent))
                            current.Subs[^1].Text.Add(line.Content);
                        else
                        {
                            if (afterBlank)
                                current.Main.Add(ParagraphBreak);
                            current.Main.Add(line.Content);
                        }
                    }
                    else
                    {
                        Close();
                        if (afterBlank)
                            CloseProse();
                        prose ??= new Entry(line.Number, line.Indent);
                        prose.Main.Add(line.Content);
                    }
                    afterBlank = false;
                    break;
            }
        }
        CloseTable();
        CloseProse();
        Close();
        return entries;
    }

    /// <summary>
    /// Rows of a markdown table; the header row names the column holding the action ("Action",
    /// "Item", "Task", "Description"), else each row's first cell with words in it.
    /// </summary>
    private static IEnumerable<Entry> TableEntries(List<Line> rows)
    {
        static string[] Cells(Line row) => row.Content.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        var separator = rows.FindIndex(r => TableSeparator().IsMatch(r.Content));
        var column = -1;
        if (separator > 0)
            column = Array.FindIndex(Cells(rows[separator - 1]), c => ActionColumn().IsMatch(c));
        for (var i = separator < 0 ? 0 : separator + 1; i < rows.Count; i++)
        {
            var cells = Cells(rows[i]);
            var text = column >= 0 && column < cells.Length ? cells[column] : cells.FirstOrDefault(c => c.Any(char.IsLetter)) ?? "";
            var entry = new Entry(rows[i].Number, 0);
            entry.Main.Add(text);
            yield return entry;
        }
    }

    private static void Accept(Entry entry, string section, HashSet<string> seen, List<FoundAction> actions, List<SkippedEntry> skipped)
    {
        var paragraphs = Paragraphs(entry.Main).Select(p => Clean(string.Join(" ", p))).Where(p => p.Length > 0).ToList();
        var (main, isChecked) = Checkbox(paragraphs.FirstOrDefault() ?? "");
        var more = paragraphs.Skip(1).ToList();
        var subs = entry.Subs.Select(s => Checkbox(Clean(string.Join(" ", s.Text))).Text).Where(s => s.Length > 0).ToList();
        if (main.Length == 0)
        {
            skipped.Add(new SkippedEntry(subs.FirstOrDefault() ?? "", EmptyEntry, entry.Line));
            return;
        }
        var fingerprint = Fingerprint(string.Join(" ", more.Prepend(main)));
        if (fingerprint.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < MinWords)
        {
            skipped.Add(new SkippedEntry(main, TooShort, entry.Line));
            return;
        }
        if (!seen.Add(fingerprint))
        {
            skipped.Add(new SkippedEntry(main, Duplicate, entry.Line));
            return;
        }

        var title = TitleOf(main);
        var full = string.Join("\n\n", more.Prepend(main));
        if (subs.Count > 0)
            full += "\n" + string.Join("\n", subs.Select(s => "- " + s));
        var description = full == title || full == title + "." ? null : Truncate(full, MaxDescription);
        actions.Add(new FoundAction(title, description, fingerprint, isChecked, section, entry.Line));
    }

    private static IEnumerable<List<string>> Paragraphs(List<string> lines)
    {
        var paragraph = new List<string>();
        foreach (var line in lines)
        {
            if (line == ParagraphBreak)
            {
                yield return paragraph;
                paragraph = [];
            }
            else
                paragraph.Add(line);
        }
        yield return paragraph;
    }

    private static (string Text, bool Checked) Checkbox(string text) =>
        CheckboxMarker().Match(text) is { Success: true } m
            ? (text[m.Length..].Trim(), m.Groups["mark"].Value.Trim().Length > 0)
            : (text, false);

    /// <summary>The first sentence, without its full stop, at most 200 characters.</summary>
    private static string TitleOf(string text)
    {
        var first = text;
        foreach (var end in SentenceEnd().EnumerateMatches(text))
        {
            // The word before the end, found backwards from it: never a copy of all the text
            // before it, which made many short "sentences" quadratic.
            var wordStart = end.Index == 0 ? 0 : text.LastIndexOf(' ', end.Index - 1) + 1;
            var lastWord = text[wordStart..end.Index].TrimEnd('.', '!', '?');
            // "e.g. Kafka", "J. Doe" and "step 1. Then" are not sentence ends worth cutting at.
            if (Abbreviations.Contains(lastWord) || lastWord.Length <= 1)
                continue;
            first = text[..end.Index];
            break;
        }
        if (Fingerprint(first).Split(' ').Length < MinWords)
            first = text;
        first = first.Trim();
        if (first.EndsWith('.') && !first.EndsWith("..", StringComparison.Ordinal))
            first = first[..^1];
        first = first.TrimEnd(':', ';', ',').Trim();
        return Truncate(first, MaxTitle);
    }

    private static string Truncate(string text, int max)
    {
        if (text.Length <= max)
            return text;
        var cut = text.LastIndexOf(' ', max - 1);
        if (cut < max / 2)
            cut = max - 1;
        return text[..cut].TrimEnd(' ', ',', ';', ':', '-') + "…";
    }

    /// <summary>Markdown to plain words: emphasis, code, links (their text), images, tags, escapes; one line.</summary>
    private static string Clean(string text)
    {
        text = Image().Replace(text, "${alt}");
        text = Link().Replace(text, "${text}");
        text = AutoLink().Replace(text, "${url}");
        text = LineBreakTag().Replace(text, " ");
        text = HtmlTag().Replace(text, "");
        for (var i = 0; i < 3; i++)
        {
            var before = text;
            text = Markup.StripStrong(text);
            text = Emphasis().Replace(text, "${text}");
            text = Strike().Replace(text, "${text}");
            if (text == before)
                break;
        }
        text = Code().Replace(text, "${text}");
        text = Escape().Replace(text, "${c}");
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>Emphasis and a trailing colon off a candidate heading line.</summary>
    private static string Strip(string text) => Clean(text).TrimEnd(':').Trim();

    [GeneratedRegex(@"^(?:={3,}|-{3,})$")]
    private static partial Regex Underline();

    [GeneratedRegex(@"^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")]
    private static partial Regex Rule();

    // Numbered (1. 1) (1)), lettered or roman (a. ii)), bulleted (- * + • and kin).
    [GeneratedRegex(@"^(?:(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]|\(\d{1,3}\)|[-*+–])(?:\s+|$)(?<text>.*)$|^[•‣◦▪●·]\s*(?<text>.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^Posted\b.{0,80}\d")]
    private static partial Regex PostedLine();

    [GeneratedRegex(@"^(?:\d+(?:\.\d+)*[.)]?|[ivxlc]+[.)])\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Numbering();

    [GeneratedRegex(@"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"\b(?:action|item|task|description|what|remediation|step)", RegexOptions.IgnoreCase)]
    private static partial Regex ActionColumn();

    [GeneratedRegex(@"^\[(?<mark>[ xX✓✔]?)\]\s*")]
    private static partial Regex CheckboxMarker();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"!\[(?<alt>[^\]]*)\]\([^)]*\)", RegexOptions.NonBacktracking)]
    private static partial Regex Image();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\](?:\([^)]*\)|\[[^\]]*\])", RegexOptions.NonBacktracking)]
    private static partial Regex Link();

    [GeneratedRegex(@"<(?<url>(?:https?|mailto):[^>\s]+)>", RegexOptions.NonBacktracking)]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreakTag();

    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", RegexOptions.NonBacktracking)]
    private static partial Regex HtmlTag();

    // Single * or _ around words, but not inside words (snake_case, 2*3*4).
    [GeneratedRegex(@"(?<![\w*])\*(?=\S)(?<text>[^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(?<text>[^_]+?)(?<=\S)_(?![\w_])")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"~~(?<text>.+?)~~")]
    private static partial Regex Strike();

    [GeneratedRegex(@"`+(?<text>[^`]+?)`+", RegexOptions.NonBacktracking)]
    private static partial Regex Code();

    [GeneratedRegex(@"\\(?<c>[\\`*_{}\[\]()#+\-.!|>])")]
    private static partial Regex Escape();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
