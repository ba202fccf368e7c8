namespace ActionTracker.Domain;

/// <summary>
/// What a text field may hold: no control characters (C0 and C1; line breaks and tabs only in
/// multi-line fields such as descriptions and comments), no bidirectional overrides, embeddings or
/// isolates (U+202A–U+202E, U+2066–U+2069, which make a title read differently than it sorts and
/// compares) and, in single-line fields, no invisible separators (U+200B, U+2060, U+FEFF). The
/// joiners U+200C and U+200D stay: scripts and emoji need them.
/// </summary>
public static class Text
{
    /// <summary>Null when the text may be stored, else what is wrong with it.</summary>
    public static string? Problem(string value, bool multiline = false)
    {
        foreach (var c in value)
        {
            if (c is '\n' or '\r' or '\t')
            {
                if (!multiline)
                    return "may not contain line breaks or tabs";
                continue;
            }
            if (c == '\0')
                return "may not contain the NUL character (U+0000)";
            if (char.IsControl(c))
                return $"may not contain control characters (U+{(int)c:X4})";
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
                return $"may not contain bidirectional override characters (U+{(int)c:X4})";
            if (!multiline && c is '\u200B' or '\u2060' or '\uFEFF')
                return $"may not contain invisible characters (U+{(int)c:X4})";
        }
        return null;
    }
}
