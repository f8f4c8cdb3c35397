using System.Text.Json;
using System.Text.Json.Serialization;

namespace MigrationPortal.ApiClient;

/// <summary>
/// The one setting added to the generated client. NSwag makes an optional property nullable (so "not set" can be told from
/// a value), but would then send it as null: "scheduleMode": null, which the API refuses, as the document says (the schema
/// is a string, not null). Left unset, a property is now left out, and the API takes its documented default.
/// </summary>
public partial class PortalApiClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) =>
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
}
