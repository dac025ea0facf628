using System.Globalization;

namespace Flow.Workflows;

/// <summary>
/// Ids of retry attempts. A logical call (an activity, or a child workflow whose id Flow generates) takes one id;
/// its attempt n ≥ 2 is "{id}#{n}". SWF's activity task carries no attempt number, so the activity's context reads
/// it back from the id.
/// </summary>
/// <remarks>
/// Why '#': SWF accepts it in activityId and workflowId (it refuses ':', '/', '|', control characters and the literal
/// "arn"); Flow's generated ids never contain it (activity ids are digits, child ids are the run id, with '/' made '_',
/// a dot and digits, and run ids are base64); and a chosen activity id that ends in '#' and digits is refused at the
/// call (<see cref="ReservedSuffix"/>), so "{id}#{n}" parses back to exactly one id and attempt. Distinct ids per
/// attempt keep RequestCancelActivityTask (addressed by activityId) unambiguous and never risk SWF's
/// ACTIVITY_ID_ALREADY_IN_USE, whose scope the API reference leaves unsaid.
/// </remarks>
internal static class AttemptId
{
    public const char Separator = '#';

    /// <summary>The longest suffix an attempt adds: '#' and int.MaxValue's ten digits.</summary>
    public const int MaxSuffixLength = 11;

    public static string For(string id, int attempt) =>
        attempt <= 1 ? id : string.Concat(id, "#", attempt.ToString(CultureInfo.InvariantCulture));

    /// <summary>The attempt an id names: n for "{id}#{n}" with n ≥ 2 written without leading zeros, else 1.</summary>
    public static int Parse(string? id)
    {
        if (id is null)
            return 1;
        var at = id.LastIndexOf(Separator);
        if (at < 0 || at == id.Length - 1 || id[at + 1] == '0')
            return 1;
        var digits = id.AsSpan(at + 1);
        foreach (var c in digits)
            if (c is < '0' or > '9')
                return 1;
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 ? n : 1;
    }

    /// <summary>True when a chosen id already ends in '#' and digits: it would read as an attempt of another id.</summary>
    public static bool ReservedSuffix(string id)
    {
        var at = id.LastIndexOf(Separator);
        if (at < 0 || at == id.Length - 1)
            return false;
        foreach (var c in id.AsSpan(at + 1))
            if (c is < '0' or > '9')
                return false;
        return true;
    }
}
