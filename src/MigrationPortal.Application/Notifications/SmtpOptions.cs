using Microsoft.Extensions.Options;

namespace MigrationPortal.Application.Notifications;

/// <summary>How the SMTP connection is secured. <see cref="Auto"/> lets the client pick (TLS on port 465, STARTTLS where offered).</summary>
public enum SmtpSecurity
{
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>
/// Bound from "Smtp". Email is off while <see cref="Host"/> is empty. The password belongs in an environment variable
/// (Smtp__Password) or user secrets, never in appsettings; it is never logged or written to a mail.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>The sender, as "address" or "Display Name &lt;address&gt;".</summary>
    public string? From { get; set; }

    /// <summary>The portal's public address, for the links in mails (https://migrations.example.com).</summary>
    public string? PortalBaseUrl { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Checks the SMTP settings at start-up, but only when email is on: an unconfigured portal simply sends nothing.</summary>
public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (!options.IsEnabled) return ValidateOptionsResult.Success;
        var problems = new List<string>();
        if (options.Port is < 1 or > 65535) problems.Add("Smtp:Port must be between 1 and 65535.");
        if (string.IsNullOrWhiteSpace(options.From) || !options.From.Contains('@')) problems.Add("Smtp:From must be the sender's address.");
        if (!Uri.TryCreate(options.PortalBaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            problems.Add("Smtp:PortalBaseUrl must be the portal's absolute http(s) address, for the links in mails.");
        if (!string.IsNullOrEmpty(options.Password) && string.IsNullOrWhiteSpace(options.UserName)) problems.Add("Smtp:UserName is needed with Smtp:Password.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
