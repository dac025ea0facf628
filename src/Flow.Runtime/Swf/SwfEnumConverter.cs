using System.Text.Json.Serialization;

namespace Flow.Swf;

/// <summary>SWF's enums travel as their names only: a number, or a name the model does not list, is a
/// JSON error rather than a value no SWF operation knows (an undefined child policy, say).</summary>
public sealed class SwfEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
