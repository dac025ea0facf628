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
                // "--bucket --timeout 5" means the value was forgotten, not a bucket named "--timeout".
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
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
