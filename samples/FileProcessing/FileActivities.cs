using System.IO.Compression;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Flow;

namespace FileProcessing;

/// <summary>The activities do real work on real files; every figure they report can be checked by hand
/// (sha256sum, wc -lw, gunzip).</summary>
/// <param name="s3">Uploads to s3:// buckets; null when the worker has no S3 configuration.</param>
public sealed class FileActivities(HttpClient http, S3Uploads? s3 = null) : IFileActivities
{
    /// <summary>RFC 1952's member for no data: the header (magic, deflate, no flags, no time, OS unknown), one final
    /// fixed-Huffman deflate block holding only its end code, then CRC-32 and length, both 0.</summary>
    private static readonly byte[] EmptyGzip =
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    public async Task<Downloaded> DownloadAsync(string source, string workFolder)
    {
        Directory.CreateDirectory(workFolder);
        var name = Path.GetFileName(Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile ? uri.AbsolutePath : source);
        if (string.IsNullOrEmpty(name))
            name = "download";
        var target = Path.Combine(workFolder, name);
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;

        await using (var output = File.Create(target))
        {
            if (uri is not null && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, token);
                // A 5xx is worth retrying; a 4xx is not (the workflow's retry policy reads the reason, and
                // HttpRequestException, a dropped connection, is on its list).
                if ((int)response.StatusCode >= 500)
                    throw new TransientDownloadException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                if (!response.IsSuccessStatusCode)
                    throw new DownloadRefusedException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                await response.Content.CopyToAsync(output, token);
            }
            else
            {
                var path = uri is { IsFile: true } ? uri.LocalPath : source;
                await using var input = File.OpenRead(path);
                await input.CopyToAsync(output, token);
            }
        }
        return new Downloaded(target, new FileInfo(target).Length);
    }

    public async Task<Processed> ProcessAsync(string localPath, string workFolder)
    {
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;
        var compressed = Path.Combine(workFolder, Path.GetFileName(localPath) + ".gz");
        var reportPath = Path.Combine(workFolder, Path.GetFileName(localPath) + ".report.json");

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        var counter = new TextCounter();
        await using (var input = File.OpenRead(localPath))
        await using (var output = File.Create(compressed))
        await using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(buffer, token)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                counter.Add(buffer.AsSpan(0, read));
                await gzip.WriteAsync(buffer.AsMemory(0, read), token);
                bytes += read;
            }
        }
        // GZipStream writes nothing at all, not even the header, when it was given no data (dotnet/runtime#66449):
        // a 0-byte file that every gunzip rejects. An empty input gets the gzip member of no data instead.
        if (bytes == 0)
            await File.WriteAllBytesAsync(compressed, EmptyGzip, token);
        var hex = Convert.ToHexStringLower(sha.GetHashAndReset());
        var processed = new Processed(compressed, reportPath, hex, bytes, new FileInfo(compressed).Length, counter.Lines, counter.Words);
        await File.WriteAllTextAsync(reportPath, ReportJson(localPath, processed), token);
        return processed;
    }

    public async Task<Uploaded> UploadAsync(Processed processed, string bucket)
    {
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;
        if (S3Location.IsS3(bucket))
        {
            if (!S3Location.TryParse(bucket, out var location, out var error))
                throw new ArgumentException(error, nameof(bucket));
            if (s3 is null)
                throw new InvalidOperationException($"This worker has no S3 configuration and cannot upload to {bucket}.");
            return new Uploaded(
                await s3.PutAsync(location, processed.CompressedPath, "application/gzip", token),
                await s3.PutAsync(location, processed.ReportPath, "application/json", token));
        }
        Directory.CreateDirectory(bucket);
        var compressed = Path.Combine(bucket, Path.GetFileName(processed.CompressedPath));
        var report = Path.Combine(bucket, Path.GetFileName(processed.ReportPath));
        await CopyAsync(processed.CompressedPath, compressed, token);
        await CopyAsync(processed.ReportPath, report, token);
        return new Uploaded(Path.GetFullPath(compressed), Path.GetFullPath(report));
    }

    public Task DeleteAsync(string workFolder)
    {
        if (Directory.Exists(workFolder))
            Directory.Delete(workFolder, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task CopyAsync(string from, string to, CancellationToken token)
    {
        // Write beside the target and move, so a crash never leaves a half-written object in the bucket.
        var temp = to + ".partial";
        await using (var input = File.OpenRead(from))
        await using (var output = File.Create(temp))
            await input.CopyToAsync(output, token);
        File.Move(temp, to, overwrite: true);
    }

    private static string ReportJson(string source, Processed p)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", Path.GetFileName(source));
            w.WriteString("sha256", p.Sha256);
            w.WriteNumber("bytes", p.Bytes);
            w.WriteNumber("lines", p.Lines);
            w.WriteNumber("words", p.Words);
            w.WriteString("compressed", Path.GetFileName(p.CompressedPath));
            w.WriteNumber("compressedBytes", p.CompressedBytes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

/// <summary>Counts lines and words as <c>wc -l</c> and <c>wc -w</c> do, across buffer boundaries: a line ends at '\n',
/// a word is a run of bytes other than ' ', '\t', '\n', '\v', '\f' and '\r'. Counts are longs: a 2 GiB file of
/// newlines has more lines than an int holds.</summary>
internal sealed class TextCounter
{
    private bool _inWord;

    public long Lines { get; private set; }

    public long Words { get; private set; }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        Lines += bytes.Count((byte)'\n');

        // A word starts at a byte that is not whitespace after one that is (or after the start of the text).
        uint previousSpace = _inWord ? 0u : 1u;
        long words = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // 16 bytes at a time: bit k of the mask is set when byte k is whitespace.
            for (; i + Vector128<byte>.Count <= bytes.Length; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(bytes.Slice(i, Vector128<byte>.Count));
                // '\t' to '\r' are 9 to 13: (b - 9) <= 4, unsigned.
                var space = Vector128.Equals(v, Vector128.Create((byte)' '))
                    | Vector128.LessThanOrEqual(v - Vector128.Create((byte)'\t'), Vector128.Create((byte)4));
                var mask = space.ExtractMostSignificantBits();
                words += BitOperations.PopCount(~mask & ((mask << 1) | previousSpace) & 0xFFFF);
                previousSpace = mask >> 15;
            }
        }
        for (; i < bytes.Length; i++)
        {
            var space = bytes[i] == (byte)' ' || (uint)(bytes[i] - '\t') <= 4;
            if (!space && previousSpace != 0)
                words++;
            previousSpace = space ? 1u : 0u;
        }
        Words += words;
        _inWord = previousSpace == 0;
    }
}

/// <summary>A download failure worth retrying (a 5xx).</summary>
public sealed class TransientDownloadException(string message) : Exception(message);

/// <summary>The server refused the download (a 4xx): asking again gets the same answer.</summary>
public sealed class DownloadRefusedException(string message) : Exception(message);
