namespace Flow.Workers;

/// <summary>
/// What an exception says, read so that reading never throws: user exceptions may override <see cref="Exception.Message"/>
/// or <see cref="Exception.StackTrace"/> to return null or throw, and <see cref="Exception.ToString"/> reads both for
/// every inner exception. A failure report that throws would leave its task unanswered.
/// </summary>
internal static class ExceptionText
{
    public static string TypeName(Exception exception) => TypeName(exception.GetType());

    /// <summary>A type's full name, without the assembly-qualified arguments of a generic type (Ns.Failure`1, not
    /// Ns.Failure`1[[System.String, System.Private.CoreLib, Version=…]]): a name a retry policy can list, the same on
    /// every runtime version.</summary>
    public static string TypeName(Type type)
    {
        var name = type.FullName ?? type.Name;
        return name.IndexOf('[', StringComparison.Ordinal) is var arguments and > 0 ? name[..arguments] : name;
    }

    public static string Message(Exception exception)
    {
        try
        {
            return exception.Message ?? "";
        }
        catch (Exception error)
        {
            return $"(the message of this {TypeName(exception)} could not be read: its Message threw {TypeName(error)})";
        }
    }

    public static string Stack(Exception exception)
    {
        try
        {
            return exception.StackTrace ?? "";
        }
        catch (Exception error)
        {
            return $"(the stack trace could not be read: StackTrace threw {TypeName(error)})";
        }
    }

    /// <summary><see cref="Exception.ToString"/>, or type, message and stack read one by one when it throws.</summary>
    public static string Full(Exception exception)
    {
        try
        {
            return exception.ToString() ?? TypeName(exception);
        }
        catch (Exception)
        {
            string message = Message(exception), stack = Stack(exception);
            string text = message.Length == 0 ? TypeName(exception) : TypeName(exception) + ": " + message;
            if (exception.InnerException is { } inner)
                text += " ---> " + Full(inner);
            return stack.Length == 0 ? text : text + "\n" + stack;
        }
    }

    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="max"/> UTF-16 code units that
    /// does not end between the two halves of a surrogate pair.</summary>
    public static string Prefix(string text, int max)
    {
        if (text.Length <= max)
            return text;
        int keep = Math.Max(max, 0);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]) && char.IsLowSurrogate(text[keep]))
            keep--;
        return text[..keep];
    }
}
