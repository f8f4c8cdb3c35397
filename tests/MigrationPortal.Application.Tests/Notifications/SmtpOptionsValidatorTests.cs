using MigrationPortal.Application.Notifications;

namespace MigrationPortal.Application.Tests.Notifications;

public sealed class SmtpOptionsValidatorTests
{
    private static readonly SmtpOptionsValidator Validator = new();

    [Fact]
    public void Validate_Succeeds_WhenEmailIsOff_WhateverElseIsSet()
    {
        var result = Validator.Validate(null, new SmtpOptions { Host = "", Port = 0, From = "nonsense" });
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_NamesEachBadSetting_WhenEmailIsOn()
    {
        var result = Validator.Validate(null, new SmtpOptions { Host = "smtp.example.com", Port = 70000, From = "portal", PortalBaseUrl = "portal.example.com", Password = "secret" });
        Assert.True(result.Failed);
        var failures = string.Join("\n", result.Failures!);
        Assert.Contains("Smtp:Port", failures);
        Assert.Contains("Smtp:From", failures);
        Assert.Contains("Smtp:PortalBaseUrl", failures);
        Assert.Contains("Smtp:UserName", failures);
        Assert.DoesNotContain("secret", failures);
    }

    [Fact]
    public void Validate_Succeeds_ForACompleteConfiguration()
    {
        var result = Validator.Validate(null, new SmtpOptions
        {
            Host = "smtp.example.com", Port = 587, Security = SmtpSecurity.StartTls, UserName = "portal", Password = "secret",
            From = "MigrationPortal <portal@example.com>", PortalBaseUrl = "https://migrations.example.com",
        });
        Assert.True(result.Succeeded, string.Join(" ", result.Failures ?? []));
    }
}
