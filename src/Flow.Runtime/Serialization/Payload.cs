using System.Buffers;
using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Flow.Serialization;

// Payload convention (the engine and tools rely on it): an activity's, workflow's or signal's input is a JSON
// array of the method's arguments in order (CancellationToken parameters excluded); a result is the JSON value
// of the return, or null for a method that returns Task. Generated code calls these helpers with metadata it
// generated itself, so nothing here touches reflection.

/// <summary>Encodes and decodes SWF payloads for generated clients and dispatch tables.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Payload
{
    /// <summary>The input of a method without arguments.</summary>
    public const string NoArguments = "[]";

    /// <summary>Options for a contract assembly: user resolvers first (they win), then the generated one.
    /// Property names are camelCase, matched case-insensitively when reading.</summary>
    public static JsonSerializerOptions CreateOptions(IJsonTypeInfoResolver generated, params IJsonTypeInfoResolver[] userResolvers)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(userResolvers);
        var chain = new IJsonTypeInfoResolver[userResolvers.Length + 1];
        userResolvers.CopyTo(chain, 0);
        chain[^1] = generated;
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(chain),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The metadata for <typeparamref name="T"/> from <paramref name="options"/>, with a message that
    /// says what to do when no resolver knows the type.</summary>
    public static JsonTypeInfo<T> GetTypeInfo<T>(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TryGetTypeInfo(typeof(T), out var info))
        {
            return (JsonTypeInfo<T>)info;
        }

        throw new NotSupportedException(
            $"No JSON metadata for {typeof(T)}. Declare it in a JsonSerializerContext and add [assembly: Flow.FlowJsonContext(typeof(YourContext))].");
    }

    public static string Encode<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);

    /// <summary>Decodes a result; an absent payload is the type's default. The whole payload must be one JSON value.</summary>
    public static T Decode<T>(string? payload, JsonTypeInfo<T> info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (string.IsNullOrEmpty(payload))
            return default!;
        try
        {
            return JsonSerializer.Deserialize(payload, info)!;
        }
        catch (Exception ex) when (ex is not PayloadException)
        {
            throw new PayloadException($"The result does not read as {info.Type.Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Awaits a method's task and encodes its result. The continuation stays on the caller's scheduler,
    /// which matters inside workflow code.</summary>
    public static async Task<string?> EncodeAsync<T>(Task<T> task, JsonTypeInfo<T> info)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Encode(await task, info);
    }

    /// <summary>Awaits a method that returns Task: its result is no payload.</summary>
    public static async Task<string?> CompleteAsync(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        await task;
        return null;
    }

    /// <summary>Starts an argument array.</summary>
    public static PayloadWriter Arguments() => new();
}

/// <summary>Writes a JSON array of arguments: <c>Payload.Arguments().Add(a, infoA).Add(b, infoB).ToJson()</c>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PayloadWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public PayloadWriter()
    {
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartArray();
    }

    public PayloadWriter Add<T>(T value, JsonTypeInfo<T> info)
    {
        JsonSerializer.Serialize(_writer, value, info);
        return this;
    }

    /// <summary>Closes the array and returns it; the writer cannot be used afterwards.</summary>
    public string ToJson()
    {
        _writer.WriteEndArray();
        _writer.Flush();
        _writer.Dispose();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}

/// <summary>Reads a JSON array of arguments in order. The whole input must be one JSON array with nothing after it
/// (checked before the first argument is read); anything else is a <see cref="PayloadException"/>, as is an argument
/// that does not read as its type. Missing trailing arguments read as their declared default (else their type's),
/// and extra ones are ignored, so a contract can gain or lose trailing parameters between versions; an
/// <see cref="Exact"/> reader (signals) allows neither a missing argument without a default nor an extra one.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct PayloadReader
{
    private Utf8JsonReader _reader;
    private bool _atEnd;
    private readonly bool _exact;
    private int _read;

    public PayloadReader(string? input) : this(input, exact: false)
    {
    }

    private PayloadReader(string? input, bool exact)
    {
        _exact = exact;
        if (string.IsNullOrWhiteSpace(input))
        {
            _atEnd = true;
            return;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(input);
        CheckOneArray(bytes);
        _reader = new Utf8JsonReader(bytes);
        _reader.Read();
    }

    /// <summary>A reader that takes exactly the arguments read: <see cref="Read{T}(JsonTypeInfo{T})"/> throws when the
    /// input has no more, and <see cref="End"/> when it has more.</summary>
    public static PayloadReader Exact(string? input) => new(input, exact: true);

    /// <summary>Reads the next argument; a missing one is the type's default, or, from an <see cref="Exact"/> reader, an error.</summary>
    public T Read<T>(JsonTypeInfo<T> info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (Next())
        {
            return Decode(info);
        }

        if (_exact)
        {
            throw new PayloadException(
                $"Argument {_read} ({info.Type.Name}) is missing: the input has {_read - 1} argument{(_read - 1 == 1 ? "" : "s")}.");
        }

        return default!;
    }

    /// <summary>Reads the next argument, or returns <paramref name="missing"/> (the parameter's declared default)
    /// when the input has no more: what an older caller sends after a parameter with a default was added.</summary>
    public T Read<T>(JsonTypeInfo<T> info, T missing)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Next() ? Decode(info) : missing;
    }

    /// <summary>Ends the reading: an <see cref="Exact"/> reader throws when the input has arguments left.</summary>
    public void End()
    {
        if (!_exact || !Next())
        {
            return;
        }

        int total = _read;
        _reader.Skip();
        while (_reader.Read() && _reader.TokenType != JsonTokenType.EndArray)
        {
            total++;
            _reader.Skip();
        }

        _atEnd = true;
        throw new PayloadException($"The input has {total} arguments; {_read - 1} {(_read - 1 == 1 ? "is" : "are")} expected.");
    }

    /// <summary>Moves to the next argument; false (and at the end from then on) when there is none.</summary>
    private bool Next()
    {
        _read++;
        if (_atEnd)
        {
            return false;
        }

        _reader.Read(); // the input was checked whole: the next token is a value or the array's end
        if (_reader.TokenType == JsonTokenType.EndArray)
        {
            _atEnd = true;
            return false;
        }

        return true;
    }

    private T Decode<T>(JsonTypeInfo<T> info)
    {
        try
        {
            return JsonSerializer.Deserialize(ref _reader, info)!;
        }
        catch (Exception ex) when (ex is not PayloadException)
        {
            throw new PayloadException($"Argument {_read} does not read as {info.Type.Name}: {ex.Message}", ex);
        }
    }

    private static void CheckOneArray(byte[] input)
    {
        var reader = new Utf8JsonReader(input);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new PayloadException($"The input is not a JSON array of arguments: it starts with {reader.TokenType switch
                {
                    JsonTokenType.StartObject => "an object",
                    JsonTokenType.String => "a string",
                    JsonTokenType.Number => "a number",
                    JsonTokenType.True or JsonTokenType.False => "a boolean",
                    JsonTokenType.Null => "null",
                    _ => reader.TokenType.ToString(),
                }}.");
            }

            reader.Skip();
            // A reader over a final block refuses a second top-level value itself; this only says so plainly.
            if (reader.Read())
            {
                throw new PayloadException($"The input has more after its argument array (at byte {reader.TokenStartIndex}).");
            }
        }
        catch (JsonException ex) when (ex is not PayloadException)
        {
            throw new PayloadException($"The input is not one JSON array of arguments: {ex.Message}", ex);
        }
    }
}
