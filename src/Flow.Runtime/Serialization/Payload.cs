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

    /// <summary>Decodes a result; an absent payload is the type's default.</summary>
    public static T Decode<T>(string? payload, JsonTypeInfo<T> info)
        => string.IsNullOrEmpty(payload) ? default! : JsonSerializer.Deserialize(payload, info)!;

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

/// <summary>Reads a JSON array of arguments in order. Missing trailing arguments read as their declared default (else their type's),
/// and extra ones are ignored, so a contract can gain or lose trailing parameters between versions.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct PayloadReader
{
    private Utf8JsonReader _reader;
    private bool _atEnd;

    public PayloadReader(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            _atEnd = true;
            return;
        }

        _reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(input));
        if (!_reader.Read() || _reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Input is not a JSON array of arguments.");
        }
    }

    public T Read<T>(JsonTypeInfo<T> info) => Read(info, default!);

    /// <summary>Reads the next argument, or returns <paramref name="missing"/> (the parameter's declared default)
    /// when the input has no more: what an older caller sends after a parameter with a default was added.</summary>
    public T Read<T>(JsonTypeInfo<T> info, T missing)
    {
        if (_atEnd)
        {
            return missing;
        }

        if (!_reader.Read())
        {
            throw new JsonException("Input ends inside its argument array.");
        }

        if (_reader.TokenType == JsonTokenType.EndArray)
        {
            _atEnd = true;
            return missing;
        }

        return JsonSerializer.Deserialize(ref _reader, info)!;
    }
}
