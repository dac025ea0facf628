using System;
using System.Collections.Generic;
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

    /// <summary><paramref name="symbol"/> as C# source in <paramref name="format"/>, with names that are contextual
    /// keywords escaped too (the display formats escape reserved ones only): a namespace or type named <c>await</c> is
    /// otherwise CS4003 inside an async method, one named <c>var</c> changes what a declaration means.</summary>
    public static string Display(ISymbol symbol, SymbolDisplayFormat format)
    {
        var text = new StringBuilder();
        foreach (var part in symbol.ToDisplayParts(format))
        {
            var value = part.ToString();
            var isName = part.Kind is SymbolDisplayPartKind.NamespaceName or SymbolDisplayPartKind.ClassName or SymbolDisplayPartKind.RecordClassName
                or SymbolDisplayPartKind.StructName or SymbolDisplayPartKind.RecordStructName or SymbolDisplayPartKind.InterfaceName
                or SymbolDisplayPartKind.EnumName or SymbolDisplayPartKind.DelegateName or SymbolDisplayPartKind.ErrorTypeName;
            text.Append(isName && SyntaxFacts.GetContextualKeywordKind(value) != SyntaxKind.None ? "@" + value : value);
        }

        return text.ToString();
    }

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

    /// <summary>A name as C# source: keywords escaped, contextual ones too (<c>@return</c>, <c>@await</c>, which an
    /// async method cannot name otherwise); the escaped name is valid wherever an identifier is.</summary>
    public static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
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
        return underlying.TypeKind == TypeKind.Enum ? $"({Display(underlying, Plain)})({text})" : text;
    }

    /// <summary>What names the scope <paramref name="symbol"/> is declared in from anywhere, ready for a name:
    /// <c>global::Shop.@event.Orders.</c>, or <c>global::</c>. Every part is escaped, contextual keywords too (a
    /// containing type named <c>await</c> is otherwise CS4003 inside an async method).</summary>
    public static string Scope(ISymbol symbol)
    {
        var parts = new List<string>();
        for (ISymbol? outer = symbol.ContainingSymbol; outer is not null && outer is not INamespaceSymbol { IsGlobalNamespace: true }; outer = outer.ContainingSymbol)
        {
            parts.Insert(0, Identifier(outer.Name) + ".");
        }

        return "global::" + string.Concat(parts);
    }

    public static string Literal(string? value)
        => value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>The generated JSON metadata class of an assembly: <c>FlowJson_My_Lib_1b2c3d4e</c>. The assembly's
    /// name made an identifier, and a hash of the exact name, so that two assemblies whose names read the same as
    /// identifiers (My.Lib and My_Lib), one seeing the other's internals, never clash.</summary>
    public static string MetadataClass(string assemblyName)
    {
        var name = new StringBuilder("FlowJson_");
        foreach (var c in assemblyName)
        {
            name.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return name.Append('_').Append(StableHash(assemblyName).ToString("x8", CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>32-bit FNV-1a over the UTF-16 code units of <paramref name="text"/>: the same in every process and
    /// on every platform, unlike string.GetHashCode.</summary>
    public static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }
}
