using System.Globalization;
using System.Text;

namespace ActionTracker.Api.Infrastructure.Outgoing;

/// <summary>
/// A URL's host as a resolver reads it, so the guard judges what a connection would reach
/// rather than how the host was written: full-width and other compatibility forms of ASCII
/// (<c>１２７.０.０.１</c>, <c>ｌｏｃａｌｈｏｓｔ</c>) and the ideographic full stops mapped to
/// ASCII as IDNA's mapping does, lower case, the trailing dot of an absolute name dropped
/// (<c>localhost.</c>, <c>127.0.0.1.</c>), then the rest in punycode. The service runs with
/// invariant globalization, where .NET maps none of this itself.
/// </summary>
public static class HostNames
{
    /// <summary>Names that never resolve (RFC 6761, 6762 and 7686): refused without a lookup.</summary>
    private static readonly string[] NeverResolve = ["invalid", "onion"];

    /// <summary>The host as ASCII, or null when no resolver would take it.</summary>
    public static string? Canonical(string host)
    {
        var mapped = new StringBuilder(host.Length);
        foreach (var c in host.Trim('[', ']'))
            mapped.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0), // full-width ASCII
                '\u3002' or '\uFF61' => '.', // ideographic and half-width ideographic full stops
                _ => c,
            });
        var text = mapped.ToString().ToLowerInvariant().TrimEnd('.');
        if (text.Length == 0)
            return null;
        if (text.Contains(':', StringComparison.Ordinal))
            return text; // an IPv6 literal
        try
        {
            return new IdnMapping { UseStd3AsciiRules = true }.GetAscii(text);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static bool NeverResolves(string canonical) =>
        NeverResolve.Any(n => canonical == n || canonical.EndsWith("." + n, StringComparison.Ordinal));
}
