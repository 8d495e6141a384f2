/* Photos made small before they travel: a photo picked in a file field marked
   data-photo-max (the attachments of the submission, intake and action forms) is scaled in
   the browser to at most that many pixels on its long side, upright, as a JPEG of about 80 %
   quality, and put back in the field in place of the original. A photo already small
   enough, a document, or a browser without createImageBitmap, canvas.toBlob or DataTransfer
   sends the file as it was picked: the server checks and stores whatever comes. A form sent
   while photos are being scaled waits for them. */
(function () {
  "use strict";
  var canvas = document.createElement("canvas");
  if (!window.createImageBitmap || !window.DataTransfer || !window.Promise || !canvas.toBlob) { return; }
  var IMAGES = /^image\/(jpeg|png|webp)$/;
  var QUALITY = 0.8;

  function scaled(file, max) {
    if (!IMAGES.test(file.type)) { return Promise.resolve(file); }
    return Promise.resolve().then(function () {
      return createImageBitmap(file, {imageOrientation: "from-image"});
    }).then(function (bitmap) {
      var long = Math.max(bitmap.width, bitmap.height);
      if (long <= max) { bitmap.close(); return file; }
      var ratio = max / long;
      var width = Math.round(bitmap.width * ratio), height = Math.round(bitmap.height * ratio);
      var target = document.createElement("canvas");
      target.width = width;
      target.height = height;
      var context = target.getContext("2d");
      context.fillStyle = "#fff";  /* transparency shown on white, as JPEG has none */
      context.fillRect(0, 0, width, height);
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      return new Promise(function (resolve) {
        target.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function busy(form, change) {
    if (!form) { return; }
    var count = Number(form.dataset.photoBusy || 0) + change;
    if (count > 0) { form.dataset.photoBusy = String(count); } else { delete form.dataset.photoBusy; }
    if (count <= 0 && form.photoWaiting) {
      form.photoWaiting = false;
      if (form.requestSubmit) { form.requestSubmit(form.photoSubmitter || undefined); } else { form.submit(); }
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.photoMax) { return; }
    var max = Number(input.dataset.photoMax) || 1600;
    var picked = Array.prototype.slice.call(input.files || []);
    if (!picked.some(function (file) { return IMAGES.test(file.type); })) { return; }
    var round = (input.photoRound || 0) + 1;
    input.photoRound = round;
    busy(input.form, 1);
    Promise.all(picked.map(function (file) { return scaled(file, max); })).then(function (files) {
      if (input.photoRound !== round) { return; }  /* picked again meanwhile */
      if (files.some(function (file, i) { return file !== picked[i]; })) {
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      }
    }).finally(function () { busy(input.form, -1); });
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.photoBusy) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    form.photoWaiting = true;
    form.photoSubmitter = event.submitter || null;
  }, true);
})();
