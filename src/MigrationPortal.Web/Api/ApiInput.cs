using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;

namespace MigrationPortal.Web.Api;

/// <summary>
/// How the API reads its input. Enums travel as names ("Compute", "PendingApproval"); numbers are still accepted, but only
/// numbers that name a member. A body or parameter that cannot be read is thrown (not answered with an empty 400), so
/// <see cref="PortalExceptionHandler"/> answers it as a ProblemDetails naming the field, as every other invalid input.
/// </summary>
public static partial class ApiInput
{
    public static IServiceCollection AddPortalApiInput(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new DefinedEnumConverter()));
        // Only Development throws by default; elsewhere a binding failure was a 400 with no body.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>The field a binding failure is about, in the use cases' spelling ("Items[2].Kind"), with a message for it.</summary>
    public static (string Field, string Message) Describe(BadHttpRequestException failure)
    {
        var parameter = ParameterName().Match(failure.Message);
        if (failure.InnerException is JsonException json)
        {
            // The serializer's own words, without the position it appends ("... Path: $.kind | LineNumber: 0 ...").
            var end = json.Message.IndexOf(" Path:", StringComparison.Ordinal);
            var field = FieldOf(json.Path);
            // A body that is a list ("$[0].outcome") is named after its parameter, as the use cases name it ("Rules[0].Outcome").
            if (field.StartsWith('[') && parameter.Success) field = Pascal(parameter.Groups["name"].Value) + field;
            return (field, end >= 0 ? json.Message[..end] : json.Message);
        }

        if (parameter.Success)
            return (Pascal(parameter.Groups["name"].Value), failure.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && !failure.Message.StartsWith("Failed to bind", StringComparison.Ordinal)
                ? "A JSON body is required."
                : $"'{parameter.Groups["value"].Value}' is not a valid value here.");
        return ("Body", failure.Message);
    }

    /// <summary>"$.items[2].kind" becomes "Items[2].Kind"; the root ("$", or nothing for malformed JSON) is "Body".</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "Body";
        var segments = path[1..].TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 0 ? "Body" : string.Join('.', segments.Select(Pascal));
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    // ASP.NET Core's messages: Failed to bind parameter "Guid? vmId" from "abc". / Required parameter "X command" was not provided from body.
    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"(?: from \"(?<value>.*)\")?", RegexOptions.Singleline)]
    private static partial Regex ParameterName();

    /// <summary>
    /// <see cref="JsonStringEnumConverter"/> with one more rule: a number (or a numeric string) that names no member is
    /// refused, so "kind": 99 never reaches a use case.
    /// </summary>
    private sealed class DefinedEnumConverter : JsonConverterFactory
    {
        private readonly JsonStringEnumConverter _names = new();

        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Checked<>).MakeGenericType(typeToConvert), _names.CreateConverter(typeToConvert, options))!;

        private sealed class Checked<T>(JsonConverter inner) : JsonConverter<T> where T : struct, Enum
        {
            private readonly JsonConverter<T> _inner = (JsonConverter<T>)inner;

            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                T value;
                try
                {
                    value = _inner.Read(ref reader, typeToConvert, options);
                }
                catch (JsonException)
                {
                    // An unknown name: say which names there are, as for an unknown number.
                    throw Unknown(reader.TokenType == JsonTokenType.String ? reader.GetString() : "this value");
                }

                return Enum.IsDefined(value) ? value : throw Unknown(value.ToString());
            }

            private static JsonException Unknown(string? value) => new($"'{value}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");

            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _inner.Write(writer, value, options);

            public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                var value = _inner.ReadAsPropertyName(ref reader, typeToConvert, options);
                return Enum.IsDefined(value) ? value : throw Unknown(value.ToString());
            }

            public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _inner.WriteAsPropertyName(writer, value, options);
        }
    }
}
