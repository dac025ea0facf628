using System.Net;
using Flow.Swf;

namespace Flow.Local;

/// <summary>SWF's faults, as the service names and shapes them (400s, but for InternalFailure).</summary>
internal static class Faults
{
    static string NewRequestId() => Guid.NewGuid().ToString();

    public static SwfException UnknownResource(string message) =>
        new UnknownResourceException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException TypeAlreadyExists(string message) =>
        new TypeAlreadyExistsException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException DomainAlreadyExists(string message) =>
        new DomainAlreadyExistsException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException DomainDeprecated(string message) =>
        new DomainDeprecatedException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException TypeDeprecated(string message) =>
        new TypeDeprecatedException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException TypeNotDeprecated(string message) =>
        new TypeNotDeprecatedException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException DefaultUndefined(string message) =>
        new DefaultUndefinedException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException AlreadyStarted(string message) =>
        new WorkflowExecutionAlreadyStartedException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException LimitExceeded(string message) =>
        new LimitExceededException(message, HttpStatusCode.BadRequest, NewRequestId());

    public static SwfException TooManyTags(string message) =>
        new TooManyTagsException(message, HttpStatusCode.BadRequest, NewRequestId());

    /// <summary>SWF's 500: the engine could not do the call (its store failed); nothing was changed, and the
    /// caller may retry.</summary>
    public static SwfException InternalFailure(string message, Exception inner) =>
        new("InternalFailure", message, HttpStatusCode.InternalServerError, NewRequestId(), inner);

    public static SwfException Validation(string message) =>
        new SwfValidationException("ValidationException", message, HttpStatusCode.BadRequest, NewRequestId());

    /// <summary>Runs a shape's model checks and reports a violation as SWF's ValidationException.</summary>
    public static void Validate(Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw Validation(MessageOf(e));
        }
    }

    /// <summary>An argument error's message as SWF would word it: without .NET's " (Parameter 'name')" suffix, nor
    /// the "Actual value was …" line ArgumentOutOfRangeException adds after it.</summary>
    public static string MessageOf(ArgumentException e)
    {
        var message = e.Message;
        if (message.IndexOf('\n', StringComparison.Ordinal) is var line and >= 0)
            message = message[..line].TrimEnd('\r');
        var suffix = e.ParamName is { } name ? $" (Parameter '{name}')" : null;
        return suffix is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
