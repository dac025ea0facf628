using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Swf;

/// <summary>
/// SWF's JSON protocol sends timestamps as epoch seconds: fractional (<c>1492443961.284</c>) and
/// sometimes in scientific notation (<c>1.492443961284E9</c>). Both directions keep millisecond
/// precision, which is what the service records.
/// </summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double seconds = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDouble(),
            // Some SWF-compatible services send numbers as strings; accept both spellings.
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,
            _ => throw new JsonException($"Expected epoch seconds, found {reader.TokenType}."),
        };
        return FromEpochSeconds(seconds);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        // Whole milliseconds, written as seconds with up to three decimals.
        long ms = value.ToUnixTimeMilliseconds();
        Span<byte> buffer = stackalloc byte[32];
        long whole = Math.DivRem(ms, 1000, out long frac);
        if (frac < 0) { whole -= 1; frac += 1000; }
        Utf8Formatter.TryFormat(whole, buffer, out int n);
        if (frac != 0)
        {
            buffer[n++] = (byte)'.';
            Utf8Formatter.TryFormat(frac, buffer[n..], out int f, new StandardFormat('D', 3));
            n += f;
            while (buffer[n - 1] == (byte)'0') n--;
        }
        writer.WriteRawValue(buffer[..n], skipInputValidation: true);
    }

    /// <summary>The epoch seconds a DateTimeOffset can hold: years 0001 to 9999.</summary>
    internal const long MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;

    internal static DateTimeOffset FromEpochSeconds(double seconds) =>
        double.IsFinite(seconds) && seconds >= MinSeconds && seconds < MaxSeconds + 1
            ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Min((long)Math.Round(seconds * 1000d, MidpointRounding.AwayFromZero), MaxSeconds * 1000 + 999))
            : throw new TimestampOutOfRangeException(seconds);
}

/// <summary>A timestamp outside what <see cref="DateTimeOffset"/> holds. A JsonException, so the serializer fills in
/// <see cref="JsonException.Path"/> (the member) and a front end can answer it as a validation error.</summary>
internal sealed class TimestampOutOfRangeException(double seconds)
    : JsonException($"{seconds.ToString("R", CultureInfo.InvariantCulture)} is out of range: epoch seconds must be between {EpochSecondsConverter.MinSeconds} and {EpochSecondsConverter.MaxSeconds} (years 0001 to 9999).");
