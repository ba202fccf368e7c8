using System.Text.RegularExpressions;

namespace ActionTracker.Api.Postmortems.Preview;

/// <summary>
/// Finds the sentences of a prose section in which the authors commit to a change ("we will…",
/// "we are adding…", "our team is enhancing…") and words each as one concise action in the
/// imperative ("Add…", "Enhance…"). What was already done ("we have enhanced…"), what happened,
/// thanks, apologies and status updates are never taken. Pure.
/// </summary>
public static partial class Commitments
{
    public const int MaxTitle = 200;

    /// <summary>The commitments of one block of prose, in order, as (action, the sentence it came from, where in the text that starts).</summary>
    public static IEnumerable<(string Action, string Sentence, int Offset)> In(string text)
    {
        var start = 0;
        var ends = new List<(int Index, int Length)>();
        foreach (var match in SentenceEnd().EnumerateMatches(text))
            ends.Add((match.Index, match.Length));
        ends.Add((text.Length, 0));
        foreach (var end in ends)
        {
            var raw = text[start..end.Index];
            var offset = start + (raw.Length - raw.TrimStart().Length);
            start = end.Index + end.Length;
            var sentence = raw.Trim();
            if (sentence.Length == 0 || Excluded().IsMatch(sentence))
                continue;
            if (Action(sentence) is { } action)
                yield return (action, sentence, offset);
        }
    }

    /// <summary>The sentence as an action in the imperative, or null when it commits to nothing.</summary>
    public static string? Action(string sentence)
    {
        var match = Commitment().Match(sentence);
        if (!match.Success)
            return null;
        var rest = match.Groups["rest"].Value.Trim();
        var verb = match.Groups["gerund"].Success ? Imperative(match.Groups["gerund"].Value) : null;
        var action = verb is null ? rest : $"{verb} {rest}".TrimEnd();
        action = action.TrimEnd('.', '!', ';', ':', ' ');
        if (action.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 3)
            return null;
        action = char.ToUpperInvariant(action[0]) + action[1..];
        if (action.Length > MaxTitle)
        {
            var cut = action.LastIndexOf(' ', MaxTitle - 1);
            action = action[..(cut > 0 ? cut : MaxTitle - 1)] + "…";
        }
        return action;
    }

    private static readonly Dictionary<string, string> Irregular = new(StringComparer.OrdinalIgnoreCase)
    {
        ["running"] = "run", ["putting"] = "put", ["setting"] = "set", ["planning"] = "plan", ["getting"] = "get",
        ["shipping"] = "ship", ["cutting"] = "cut", ["stopping"] = "stop", ["dropping"] = "drop", ["splitting"] = "split",
        ["being"] = "be", ["seeing"] = "see", ["auditing"] = "audit", ["editing"] = "edit", ["limiting"] = "limit",
        ["revisiting"] = "revisit", ["visiting"] = "visit", ["monitoring"] = "monitor", ["documenting"] = "document",
        ["hardening"] = "harden", ["strengthening"] = "strengthen", ["broadening"] = "broaden", ["tightening"] = "tighten",
        ["developing"] = "develop", ["offering"] = "offer", ["entering"] = "enter", ["considering"] = "consider",
        ["adding"] = "add", ["rolling"] = "roll", ["installing"] = "install", ["enrolling"] = "enroll",
        ["testing"] = "test", ["building"] = "build", ["investing"] = "invest", ["working"] = "work",
        ["refactoring"] = "refactor", ["mirroring"] = "mirror", ["targeting"] = "target", ["opening"] = "open",
        ["focusing"] = "focus", ["bringing"] = "bring", ["budgeting"] = "budget", ["alerting"] = "alert",
        ["reviewing"] = "review", ["deploying"] = "deploy", ["employing"] = "employ", ["using"] = "use",
    };

    /// <summary>"adding" → "Add", "evaluating" → "Evaluate", "enhancing" → "Enhance", "logging" → "Log".</summary>
    public static string Imperative(string gerund)
    {
        var word = gerund.ToLowerInvariant();
        if (!Irregular.TryGetValue(word, out var verb))
            verb = Stem(word[..^3]);
        return char.ToUpperInvariant(verb[0]) + verb[1..];
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    /// <summary>The verb of a gerund's stem: a doubled consonant undone, a silent e put back.</summary>
    private static string Stem(string stem)
    {
        if (stem.Length < 2)
            return stem;
        char last = stem[^1], before = stem[^2];
        if (last == before && !IsVowel(last) && last is not ('l' or 's' or 'f' or 'z'))
            return stem[..^1]; // logg → log, shipp → ship
        if (last == 'u' || stem.EndsWith("at", StringComparison.Ordinal) || stem.EndsWith("iz", StringComparison.Ordinal)
            || stem.EndsWith("is", StringComparison.Ordinal) || stem.EndsWith("ir", StringComparison.Ordinal)
            || stem is [.., 'n' or 'r', 'c'] || stem is [.., 'n' or 'r' or 'd', 'g'] || stem is [.., 'l' or 'r', 'v']
            || stem is [.., 'p' or 'k' or 'r' or 'n' or 'l', 's'])
            return stem + "e"; // continu(e), evaluat(e), prioritiz(e), requir(e), enhanc(e), chang(e), solv(e), collaps(e)
        // consonant, one vowel, consonant: improv(e), mak(e), us(e), explor(e); not an unstressed -er (filter, render)
        if (stem.Length >= 3 && !IsVowel(last) && last is not ('w' or 'x' or 'y') && IsVowel(before)
            && !IsVowel(stem[^3]) && !(before == 'e' && last == 'r') && !(before == 'e' && last == 'n'))
            return stem + "e";
        return stem;
    }

    // A commitment: an optional lead-in of a few words ending in a comma ("Additionally,", "In
    // addition,"), then we or our team and a future or ongoing verb form.
    [GeneratedRegex(
        @"^(?:[\w' -]{1,40},\s*)?(?:we|our(?:\s+[\w-]+){0,3}\s+(?:team|teams|engineers|engineering|organization|company))" +
        @"(?:(?:\s+(?:will|shall)|'ll)(?:\s+(?:also|now|further|continue\s+to|be))?\s+(?:(?<gerund>[a-z]+ing)\s+)?" +
        @"|(?:\s+(?:are|is)|'re)\s+(?:also\s+|now\s+|actively\s+|currently\s+)?(?:(?:going|planning|committed|working)\s+to\s+|(?<gerund>[a-z]+ing)\s+)" +
        @"|\s+(?:plan|intend|aim|commit)\s+to\s+" +
        @"|(?:\s+have|'ve)\s+(?:begun|started)\s+(?<gerund>[a-z]+ing)\s+)(?<rest>.+)$",
        RegexOptions.IgnoreCase)]
    private static partial Regex Commitment();

    // Never candidates: thanks, apologies, and the words of status updates.
    [GeneratedRegex(@"\b(?:thank|thanks|apolog\w*|sorry|regret|appreciate|posted|has been resolved|have been resolved|continue to monitor|are monitoring|are investigating|have identified|are looking into)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Excluded();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])")]
    private static partial Regex SentenceEnd();

}
