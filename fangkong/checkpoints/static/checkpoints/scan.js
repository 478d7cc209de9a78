// The checkpoint scan page: read a resident's health code with the phone's camera and submit it.
// The browser's BarcodeDetector where it exists (Chrome on Android); otherwise the vendored jsQR,
// loaded only then. Without a camera the door keeper types the ID number; nothing here is required.
(function () {
  "use strict";
  var root = document.getElementById("cp-scanner");
  var form = document.getElementById("cp-lookup-form");
  if (!root || !form) return;
  var video = root.querySelector("video");
  var button = root.querySelector("[data-start]");
  var statusLine = root.querySelector("[data-status]");
  var tokenField = form.querySelector("[name=token]");
  var stream = null;
  var detector = null;
  var canvas = null;
  var timer = null;

  function say(text) { statusLine.textContent = text; }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    clearTimeout(timer);
    root.classList.remove("on");
    button.textContent = "打开摄像头扫码";
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var script = document.createElement("script");
      script.src = root.dataset.jsqr;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("jsQR")); };
      document.head.appendChild(script);
    });
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    var width = video.videoWidth, height = video.videoHeight;
    if (!width || !height) return Promise.resolve(null);
    canvas = canvas || document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, {
      inversionAttempts: "dontInvert",
    });
    return Promise.resolve(found ? found.data : null);
  }

  function tick() {
    if (!stream) return;
    var ready = video.readyState >= 2 ? readFrame() : Promise.resolve(null);
    ready.then(function (text) {
      if (!stream) return;
      if (text) {
        stop();
        tokenField.value = text; // the server takes the token out of a URL when the code holds one
        form.requestSubmit();
        return;
      }
      timer = setTimeout(tick, 250);
    }).catch(function () { timer = setTimeout(tick, 500); });
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("此浏览器不能使用摄像头，请输入身份证号");
      return;
    }
    say("正在打开摄像头…");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        root.classList.add("on");
        button.textContent = "关闭摄像头";
        return video.play();
      })
      .then(makeDetector)
      .then(function (made) {
        detector = made;
        return detector ? null : loadJsQR();
      })
      .then(function () { say("请将健康码对准取景框"); tick(); })
      .catch(function (error) {
        stop();
        say("无法打开摄像头（" + (error && error.name ? error.name : "错误") + "），请输入身份证号");
      });
  }

  button.addEventListener("click", function () { if (stream) stop(); else start(); });

  // After a passage is recorded, the page is ready for the next person.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "cp-result") return;
    if (!event.detail.target.querySelector("[data-recorded]")) return;
    document.querySelectorAll("form.cp-form, #cp-lookup-form").forEach(function (f) { f.reset(); });
    tokenField.focus();
  });
})();
