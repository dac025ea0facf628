using System.Collections.Generic;
using System.Linq;

namespace Flow.Generators;

/// <summary>A C# expression the emitter lays out: on one line when it fits, else one argument (or one link of a
/// fluent chain) per line.</summary>
internal abstract record Code
{
    private const int Width = 110;

    public static implicit operator Code(string text) => new Text(text);

    public abstract string Flat { get; }

    /// <summary>Writes the expression with <paramref name="prefix"/> before and <paramref name="suffix"/> after it.</summary>
    public void Write(IndentedWriter writer, string prefix, string suffix)
    {
        if (this is Text || prefix.Length + Flat.Length + suffix.Length + writer.Column <= Width)
        {
            writer.Line(prefix + Flat + suffix);
            return;
        }

        WriteBroken(writer, prefix, suffix);
    }

    protected abstract void WriteBroken(IndentedWriter writer, string prefix, string suffix);

    public sealed record Text(string Value) : Code
    {
        public override string Flat => Value;

        protected override void WriteBroken(IndentedWriter writer, string prefix, string suffix) => writer.Line(prefix + Value + suffix);
    }

    /// <summary><c>head(arg, arg)tail</c>.</summary>
    public sealed record Call(string Head, IReadOnlyList<Code> Arguments, string Tail = "") : Code
    {
        public override string Flat => $"{Head}({string.Join(", ", Arguments.Select(a => a.Flat))}){Tail}";

        protected override void WriteBroken(IndentedWriter writer, string prefix, string suffix)
        {
            if (Arguments.Count == 0)
            {
                writer.Line(prefix + Flat + suffix);
                return;
            }

            writer.Line(prefix + Head + "(");
            writer.Indent();
            for (var i = 0; i < Arguments.Count; i++)
            {
                Arguments[i].Write(writer, "", i == Arguments.Count - 1 ? ")" + Tail + suffix : ",");
            }

            writer.Outdent();
        }
    }

    /// <summary><c>head.link().link()</c>.</summary>
    public sealed record Chain(string Head, IReadOnlyList<Code> Links) : Code
    {
        public override string Flat => Head + string.Concat(Links.Select(l => "." + l.Flat));

        protected override void WriteBroken(IndentedWriter writer, string prefix, string suffix)
        {
            writer.Line(prefix + Head);
            writer.Indent();
            for (var i = 0; i < Links.Count; i++)
            {
                Links[i].Write(writer, ".", i == Links.Count - 1 ? suffix : "");
            }

            writer.Outdent();
        }
    }
}
