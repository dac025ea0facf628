using System.Text;
using FileProcessing;

namespace Flow.Samples.Tests;

/// <summary>The line and word counts of the Process activity, as <c>wc -l</c> and <c>wc -w</c> give them.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class TextCounterTests
{
    [Test]
    public void A_file_of_more_than_int_MaxValue_newlines_counts_every_line()
    {
        // The input a tester fed the sample: 2,147,483,700 bytes of '\n', read in the activity's buffer size.
        const long Size = 2_147_483_700;
        var buffer = new byte[81920];
        Array.Fill(buffer, (byte)'\n');
        var counter = new TextCounter();
        for (long left = Size; left > 0; left -= buffer.Length)
            counter.Add(buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)));

        Assert.That(counter.Lines, Is.EqualTo(Size));
        Assert.That(counter.Words, Is.Zero);
    }

    [Test]
    public void Counts_match_a_byte_by_byte_count_for_any_text_cut_anywhere([Random(0, int.MaxValue, 20)] int seed)
    {
        var random = new Random(seed);
        // Mostly letters and the six whitespace bytes wc knows, some other bytes, in runs of any length.
        byte[] alphabet = [.. "ab\n \t\r\v\f"u8, 0, 0x80, 0xFF, (byte)'-', 8, 14, 31, 32];
        var text = new byte[random.Next(0, 5000)];
        for (var i = 0; i < text.Length; i++)
            text[i] = alphabet[random.Next(alphabet.Length)];

        var counter = new TextCounter();
        for (var at = 0; at < text.Length;)
        {
            var length = Math.Min(text.Length - at, random.Next(0, 300));
            counter.Add(text.AsSpan(at, length));
            at += length;
        }

        var (lines, words) = Reference(text);
        Assert.That((counter.Lines, counter.Words), Is.EqualTo((lines, words)), Encoding.Latin1.GetString(text));
    }

    /// <summary>wc's definition, plainly: a line ends at '\n'; a word is a run of bytes that are not ' ', '\t', '\n', '\v', '\f' or '\r'.</summary>
    private static (long Lines, long Words) Reference(byte[] text)
    {
        long lines = 0, words = 0;
        var inWord = false;
        foreach (var b in text)
        {
            if (b == '\n')
                lines++;
            var space = b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
            if (!space && !inWord)
                words++;
            inWord = !space;
        }
        return (lines, words);
    }
}
