// Marks the page as having JavaScript (govuk-frontend styles depend on it) and starts govuk-frontend's components.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
