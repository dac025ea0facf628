using System.Globalization;

namespace FileProcessing;

/// <summary>Bad command-line input: the programs print its message as one line and exit with code 2.</summary>
internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>The options of the sample program and of FileProcessing.Worker: "--name value", "--flag" and
/// positional arguments. Anything else is an error that names the argument.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static CommandLine Parse(string[] args, string[] valued, string[] flags)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (valued.Contains(arg))
            {
                // "--bucket --timeout 5" means the value was forgotten, not a bucket named "--timeout"; "--bucket ''" too.
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(args[i + 1]))
                    throw new CommandLineException($"{arg} needs a value");
                if (!line._values.TryAdd(arg, args[++i]))
                    throw new CommandLineException($"{arg} is given twice");
            }
            else if (flags.Contains(arg))
            {
                line._flags.Add(arg);
            }
            else if (arg.StartsWith('-') && arg.Length > 1)
            {
                throw new CommandLineException($"unknown option {arg}");
            }
            else
            {
                line.Positional.Add(arg);
            }
        }
        return line;
    }

    public string? this[string option] => _values.GetValueOrDefault(option);

    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>An absolute http or https URL, or null when the option is absent.</summary>
    public Uri? HttpUrl(string option)
    {
        if (this[option] is not { } text)
            return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
            throw new CommandLineException($"{option} {text} is not an http(s) URL");
        return url;
    }

    /// <summary>An AWS region name (us-east-1, us-gov-west-1, cn-north-1), or null when the option is absent.</summary>
    public string? Region(string option)
    {
        if (this[option] is not { } text)
            return null;
        var parts = text.Split('-');
        if (parts.Length < 2 || !parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))))
            throw new CommandLineException($"{option} {text} is not an AWS region name such as us-east-1");
        return text;
    }

    /// <summary>A number of seconds, fractions allowed (0.5), within [min, max].</summary>
    public TimeSpan Duration(string option, double fallback, double min, double max)
    {
        if (this[option] is not { } text)
            return TimeSpan.FromSeconds(fallback);
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds < min || seconds > max)
            throw new CommandLineException(string.Create(CultureInfo.InvariantCulture,
                $"{option} needs a number of seconds from {min} to {max}, not '{text}'"));
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A whole number of seconds within [min, max].</summary>
    public int Seconds(string option, int fallback, int min, int max)
    {
        if (this[option] is not { } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < min || seconds > max)
            throw new CommandLineException($"{option} needs a whole number of seconds from {min} to {max}, not '{text}'");
        return seconds;
    }
}
