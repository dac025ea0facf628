using System.Text.Json;

namespace Flow;

/// <summary>A payload (an activity's, workflow's or signal's input, or a result) that cannot be decoded: not one JSON
/// array of arguments, or an argument that does not read as its parameter's type. For an activity it fails the task,
/// for a workflow's start input the run; a signal with such input is not delivered (see the generator's README).</summary>
public sealed class PayloadException : JsonException
{
    internal PayloadException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
