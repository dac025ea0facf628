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
            bool flag;
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
                flag = Array.IndexOf(flags, name) >= 0;
                // "--json=false" must not mean --json.
                if (flag)
                    throw new UsageException($"--{name} takes no value");
            }
            else
            {
                flag = Array.IndexOf(flags, name) >= 0;
                // "--domain --json" means the value was forgotten, not a domain named "--json" (--domain=--json says that).
                if (!flag)
                    value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }
            if (!flag && string.IsNullOrWhiteSpace(value))
                throw new UsageException($"--{name} needs a value");
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

    /// <summary>A number of seconds, fractions allowed (0.5), within [min, max].</summary>
    public TimeSpan Seconds(string name, double defaultValue, double min, double max)
    {
        string? text = Get(name);
        if (text is null)
            return TimeSpan.FromSeconds(defaultValue);
        if (!double.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double v)
            || v < min || v > max)
            throw new UsageException($"--{name} must be a number of seconds from {Invariant(min)} to {Invariant(max)}, not '{text}'");
        return TimeSpan.FromSeconds(v);
    }

    private static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

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

/// <summary>The command could not do its work for a reason outside it (an endpoint that does not answer, no
/// credentials, an address that cannot be bound): print the message as one line, exit 2.</summary>
internal sealed class CommandFailedException(string message, Exception? inner = null) : Exception(message, inner);
