namespace Flow.Cli;

/// <summary>A command's options as <c>--name value</c> pairs and <c>--flag</c> switches; small enough
/// that a parser library would cost more than it saves.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> are the options that take no value.</summary>
    public static CommandLine Parse(ReadOnlySpan<string> args, params string[] flags)
    {
        var line = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'");
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (Array.IndexOf(flags, name) < 0)
            {
                if (i + 1 >= args.Length)
                    throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (!line.options.TryAdd(name, value))
                throw new UsageException($"--{name} given twice");
        }
        return line;
    }

    public string? Get(string name)
    {
        read.Add(name);
        return options.TryGetValue(name, out string? v) ? v : null;
    }

    public string Required(string name) => Get(name) ?? throw new UsageException($"--{name} is required");

    public bool Flag(string name)
    {
        read.Add(name);
        return options.ContainsKey(name);
    }

    public int Int(string name, int defaultValue, int min, int max)
    {
        string? text = Get(name);
        if (text is null)
            return defaultValue;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'");
        return v;
    }

    /// <summary>Call after reading every option: an option nobody read is a typo.</summary>
    public void RejectUnknown()
    {
        foreach (string name in options.Keys)
            if (!read.Contains(name))
                throw new UsageException($"unknown option --{name}");
    }
}

/// <summary>A mistake on the command line: print the message and the usage, exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
