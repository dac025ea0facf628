using System;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flow.Generators;

/// <summary>Naming rules shared by the parser and the emitter.</summary>
internal static class Names
{
    /// <summary>Fully qualified C# with nullable annotations: what parameters and results are declared as.</summary>
    public static readonly SymbolDisplayFormat Annotated = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A namespace as a namespace declaration names it: keywords escaped (<c>App.@event</c>).</summary>
    public static readonly SymbolDisplayFormat Namespace = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>Fully qualified C# without annotations: the identity of a type's JSON metadata.</summary>
    public static readonly SymbolDisplayFormat Plain = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>Whether <paramref name="symbol"/> is the type named <paramref name="fullName"/> ("Flow.ExecuteAttribute"),
    /// compared part by part: cheaper than formatting the symbol, which matters in a transform that reruns on every edit.</summary>
    public static bool Is(ITypeSymbol? symbol, string fullName)
    {
        if (symbol is null)
        {
            return false;
        }

        var end = fullName.Length;
        ISymbol? current = symbol;
        while (current is not null && !(current is INamespaceSymbol { IsGlobalNamespace: true }))
        {
            var start = fullName.LastIndexOf('.', end - 1) + 1;
            if (end - start != current.Name.Length || string.CompareOrdinal(fullName, start, current.Name, 0, current.Name.Length) != 0)
            {
                return false;
            }

            end = start - 1;
            current = current.ContainingSymbol;
        }

        return end == -1;
    }

    public static string WithoutAsync(string name)
        => name.Length > 5 && name.EndsWith("Async", StringComparison.Ordinal) ? name.Substring(0, name.Length - 5) : name;

    /// <summary>IFileActivities → FileActivities (only when the I starts a PascalCase word).</summary>
    public static string WithoutInterfacePrefix(string name)
        => name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]) ? name.Substring(1) : name;

    public static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;

    public static string Accessibility(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    /// <summary>C# source for a parameter's default value of type <paramref name="type"/>: it must stay a
    /// constant, so enums are casts, floating point keeps its suffix and every digit, and structs are <c>default</c>.</summary>
    public static string Constant(ITypeSymbol type, object? value)
    {
        var underlying = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;
        if (value is null)
        {
            return type.IsValueType && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T ? "default" : "null";
        }

        var text = value switch
        {
            string s => Literal(s),
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            bool b => b ? "true" : "false",
            float f => float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity" : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
                : f.ToString("R", CultureInfo.InvariantCulture) + "F",
            double d => double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity"
                : d.ToString("R", CultureInfo.InvariantCulture) + "D",
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "default",
        };

        // An enum constant is its underlying value; the cast names the enum (parenthesized, for negative values).
        return underlying.TypeKind == TypeKind.Enum ? $"({underlying.ToDisplayString(Plain)})({text})" : text;
    }

    /// <summary>A type name in a declaration: contextual keywords too are escaped (a type named <c>record</c> is CS8860).</summary>
    public static string TypeIdentifier(string name)
        => SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : Identifier(name);

    public static string Literal(string? value)
        => value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>The generated JSON metadata class of an assembly; its name carries the assembly's so that two
    /// assemblies with contracts (one seeing the other's internals) never clash.</summary>
    public static string MetadataClass(string assemblyName)
    {
        var name = new StringBuilder("FlowJson_");
        foreach (var c in assemblyName)
        {
            name.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return name.ToString();
    }

    public static string MetadataAccessor(string assemblyName, string type)
        => $"global::Flow.Generated.{MetadataClass(assemblyName)}.TypeInfo<{type}>()";

    /// <summary>TimeSpan text or NONE → SWF's whole seconds or NONE; null when it does not parse (an analyzer reports it).</summary>
    public static string? SwfDuration(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.Trim();
        if (string.Equals(text, "NONE", StringComparison.OrdinalIgnoreCase))
        {
            return "NONE";
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture)
            : null;
    }
}
