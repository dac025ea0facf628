using System;
using System.Globalization;

namespace Flow.Generators.Analyzers;

/// <summary>SWF's rules for names, versions and durations, and the default names Flow derives from a
/// contract. Pure string functions, so the generator can derive the same names the analyzers check.</summary>
internal static class SwfRules
{
    public const int MaxNameLength = 256;
    public const int MaxVersionLength = 64;
    public const int MaxDescriptionLength = 1024;

    /// <summary>SWF durations are at most 8 digits of seconds.</summary>
    public const long MaxDurationSeconds = 99_999_999;

    /// <summary>SWF caps a workflow execution at one year, and refuses NONE for it.</summary>
    public const long MaxExecutionSeconds = 365L * 24 * 60 * 60;

    public const string None = "NONE";

    /// <summary>The version of a contract, or of its types, that sets none.</summary>
    public const string DefaultVersion = "1.0";

    /// <summary>"IFileActivities" → "FileActivities"; the I is dropped only where it is the interface prefix.</summary>
    public static string ContractBaseName(string interfaceName) =>
        interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1])
            ? interfaceName.Substring(1)
            : interfaceName;

    /// <summary>"DownloadAsync" → "Download"; a method named just "Async" keeps its name.</summary>
    public static string MethodBaseName(string methodName) =>
        methodName.Length > 5 && methodName.EndsWith("Async", StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - 5)
            : methodName;

    /// <summary>Default activity type name: the prefix (default: contract base name), a dot, the method base name.</summary>
    public static string DefaultActivityName(string namePrefix, string methodName) =>
        namePrefix + "." + MethodBaseName(methodName);

    /// <summary>Default workflow type name: contract base name, a dot, the [Execute] method's base name.</summary>
    public static string DefaultWorkflowName(string interfaceName, string executeMethodName) =>
        ContractBaseName(interfaceName) + "." + MethodBaseName(executeMethodName);

    /// <summary>Default signal name: the method's base name.</summary>
    public static string DefaultSignalName(string methodName) => MethodBaseName(methodName);

    /// <summary>Why SWF would reject <paramref name="value"/> as a name, version or task list (a phrase that
    /// completes "… is invalid: "), or null when it accepts it.</summary>
    public static string? CheckIdentifier(string? value, int maxLength)
    {
        if (value is null || value.Length == 0)
            return $"it is empty, and SWF requires 1 to {maxLength} characters";
        if (value.Length > maxLength)
            return $"it has {value.Length} characters, and SWF allows at most {maxLength}";
        if (value == "arn")
            return "SWF reserves the literal \"arn\"";
        foreach (var c in value)
        {
            if (c is ':' or '/' or '|')
                return $"SWF rejects '{c}' in names; remove it";
            if (IsControl(c))
                return $"it contains the control character U+{(int)c:X4}, which SWF rejects";
        }
        return null;
    }

    private static bool IsControl(char c) => c <= '\u001f' || (c >= '\u007f' && c <= '\u009f');

    /// <summary>Parses a contract timeout: "NONE", or an invariant TimeSpan string with whole seconds
    /// ("00:10:00", "1.00:00:00"). Returns null and SWF's seconds ("600", or "NONE"), or the reason it
    /// is invalid.</summary>
    public static string? CheckTimeout(string? value, bool allowNone, long maxSeconds, out string? swfSeconds)
    {
        swfSeconds = null;
        if (value is null)
            return "it is null; remove the setting or give a TimeSpan such as \"00:10:00\"";
        if (value == None)
        {
            if (!allowNone)
                return "SWF refuses NONE here; give a TimeSpan of at most one year, such as \"30.00:00:00\"";
            swfSeconds = None;
            return null;
        }
        if (string.Equals(value.Trim(), None, StringComparison.OrdinalIgnoreCase))
            return "write NONE in capitals";
        if (value.IndexOf(':') < 0 && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            // TimeSpan.Parse reads a bare number as days, which is never what "30" means here.
            return "write a TimeSpan with hours, minutes and seconds such as \"00:10:00\" (a bare number would be read as days)";
        }
        if (HoursOverflowIntoDays(value))
        {
            // TimeSpan.Parse reads "25:00:00" as 25 days.
            return "hours run from 0 to 23, and TimeSpan would read this as days; write whole days as d.hh:mm:ss, such as \"1.01:00:00\"";
        }
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span))
            return "it is not a TimeSpan; write [d.]hh:mm:ss, such as \"00:10:00\" or \"1.00:00:00\"";
        if (span < TimeSpan.Zero)
            return "it is negative; SWF durations are 0 seconds or more";
        if (span.Ticks % TimeSpan.TicksPerSecond != 0)
            return "SWF durations are whole seconds; drop the fraction";
        var seconds = span.Ticks / TimeSpan.TicksPerSecond;
        if (seconds > maxSeconds)
            return $"it is {seconds} seconds, and SWF allows at most {maxSeconds}";
        swfSeconds = seconds.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static bool HoursOverflowIntoDays(string value)
    {
        var parts = value.Trim().Split(':');
        return parts.Length == 3
            && parts[0].IndexOf('.') < 0
            && int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var hours)
            && hours > 23;
    }

    /// <summary>SWF's child policies, spelled as SWF spells them.</summary>
    public static bool IsChildPolicy(string? value) => ChildPolicyMember(value) is not null;

    /// <summary>The Flow.Swf.ChildPolicy member of a child policy SWF accepts ("REQUEST_CANCEL" → "RequestCancel"),
    /// or null for any other spelling.</summary>
    public static string? ChildPolicyMember(string? value) => value switch
    {
        "TERMINATE" => "Terminate",
        "REQUEST_CANCEL" => "RequestCancel",
        "ABANDON" => "Abandon",
        _ => null,
    };

    /// <summary>SWF's seconds ("600" or "NONE") for a timeout <see cref="CheckTimeout"/> accepts, else null (the
    /// analyzer reports it): the generator registers exactly what the analyzer checked.</summary>
    public static string? SwfTimeout(string? value, bool allowNone, long maxSeconds) =>
        value is not null && CheckTimeout(value, allowNone, maxSeconds, out var seconds) is null ? seconds : null;

    /// <summary>A value as it reads in a message: quoted, with control characters escaped.</summary>
    public static string Display(string? value)
    {
        if (value is null)
            return "null";
        var builder = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (IsControl(c))
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                builder.Append(c);
        }
        return builder.Append('"').ToString();
    }
}
