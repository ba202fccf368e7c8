using System.Text;

namespace ActionTracker.Api.Postmortems;

/// <summary>
/// The markdown constructs the parser used to match with backtracking regexes, read by hand in
/// one pass each: a document is untrusted and up to 1 MiB, and those regexes took time
/// quadratic in a line's length (a heading padded with spaces, bold markers that never close).
/// Each method gives what its regex gave, in time linear in its input.
/// </summary>
public static class Markup
{
    /// <summary>
    /// An ATX heading (<c># Text ##</c>) in a trimmed line: one to six hashes, then whitespace or
    /// the end; the text without a closing run of hashes. As CommonMark, "#5" and "####### x" are not headings.
    /// </summary>
    public static bool TryAtxHeading(string content, out int level, out string text)
    {
        level = 0;
        text = "";
        var hashes = 0;
        while (hashes < content.Length && content[hashes] == '#')
            hashes++;
        if (hashes is 0 or > 6 || (hashes < content.Length && !char.IsWhiteSpace(content[hashes])))
            return false;
        level = hashes;
        var start = hashes;
        while (start < content.Length && char.IsWhiteSpace(content[start]))
            start++;
        var end = content.Length;
        while (end > start && char.IsWhiteSpace(content[end - 1]))
            end--;
        // A closing run of hashes counts only after whitespace: "# C#" keeps its hash.
        var closing = end;
        while (closing > start && content[closing - 1] == '#')
            closing--;
        if (closing < end && closing > start && char.IsWhiteSpace(content[closing - 1]))
        {
            end = closing;
            while (end > start && char.IsWhiteSpace(content[end - 1]))
                end--;
        }
        text = content[start..end];
        return true;
    }

    /// <summary>HTML comments (<c>&lt;!-- … --&gt;</c>, across lines) blanked out, keeping their line breaks so line numbers hold.</summary>
    public static string BlankComments(string text)
    {
        var open = text.IndexOf("<!--", StringComparison.Ordinal);
        if (open < 0)
            return text;
        var builder = new StringBuilder(text.Length);
        var position = 0;
        while (open >= 0)
        {
            var close = text.IndexOf("-->", open + 4, StringComparison.Ordinal);
            // An unclosed comment is text: no later one can close either.
            if (close < 0)
                break;
            builder.Append(text, position, open - position);
            for (var i = open; i < close; i++)
                if (text[i] == '\n')
                    builder.Append('\n');
            position = close + 3;
            open = text.IndexOf("<!--", position, StringComparison.Ordinal);
        }
        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    /// <summary>
    /// Strong emphasis (<c>**text**</c>, <c>__text__</c>) replaced by its text, left to right: an
    /// opener is followed by a non-space, its closer is the nearest same pair after at least one
    /// character that follows a non-space, on the same line. Where the closers are is worked out
    /// once, from the end, so an opener that never closes costs nothing more.
    /// </summary>
    public static string StripStrong(string text)
    {
        if (!text.Contains("**", StringComparison.Ordinal) && !text.Contains("__", StringComparison.Ordinal))
            return text;
        var n = text.Length;
        // nextStars[i] / nextUnderscores[i]: the first valid closer at or after i, or -1.
        var nextStars = new int[n + 1];
        var nextUnderscores = new int[n + 1];
        nextStars[n] = nextUnderscores[n] = -1;
        for (var i = n - 1; i >= 0; i--)
        {
            if (text[i] == '\n')
            {
                nextStars[i] = nextUnderscores[i] = -1;
                continue;
            }
            var closes = i > 0 && i + 1 < n && !char.IsWhiteSpace(text[i - 1]) && text[i - 1] != '\n';
            nextStars[i] = closes && text[i] == '*' && text[i + 1] == '*' ? i : nextStars[i + 1];
            nextUnderscores[i] = closes && text[i] == '_' && text[i + 1] == '_' ? i : nextUnderscores[i + 1];
        }

        var builder = new StringBuilder(n);
        var position = 0;
        while (position < n)
        {
            var c = text[position];
            if ((c is '*' or '_') && position + 2 < n && text[position + 1] == c && !char.IsWhiteSpace(text[position + 2]))
            {
                var close = (c == '*' ? nextStars : nextUnderscores)[position + 3];
                if (close >= 0)
                {
                    builder.Append(text, position + 2, close - position - 2);
                    position = close + 2;
                    continue;
                }
            }
            builder.Append(c);
            position++;
        }
        return builder.ToString();
    }

    /// <summary>Where, in one line, each line of a joined text starts: the line of an offset, by binary search.</summary>
    public static int IndexOfLast(IReadOnlyList<int> starts, int offset)
    {
        int low = 0, high = starts.Count - 1, found = 0;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (starts[middle] <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
                high = middle - 1;
        }
        return found;
    }
}
