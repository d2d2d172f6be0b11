// MathJax settings for pymdownx.arithmatex (generic mode): $...$ inline, $$...$$ display.
// MathJax itself is served from the site (javascripts/vendor/mathjax/, see mkdocs.yml): no CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
    enableMenu: false  // the menu's accessibility explorer would fetch its speech engine from a CDN
  }
};

document$.subscribe(() => {
  MathJax.startup.output.clearCache()
  MathJax.typesetClear()
  MathJax.texReset()
  MathJax.typesetPromise()
})
